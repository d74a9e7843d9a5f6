/**
 * Slash commands, run after the request was acknowledged (Slack's 3 seconds are for the ack;
 * a trigger_id stays valid for 3 seconds too, so views.open is the first Slack call made):
 *
 * - `/status` opens the status modal (prefilled from the last status); several municipalities →
 *   the choice message; not a project leader → who the project leader is.
 * - `/status <text>` saves a short status; several municipalities → buttons that carry the text.
 * - `/samla help | oppgaver | neste | status … | link steering <kommunenummer>`.
 * - `/samla dashboard`: organisers get a link to the dashboard (journeys/dashboard.ts), ephemeral.
 * - `/samla digest [network]`: the organisers' weekly digest as it looks now (journeys/digest.ts,
 *   which asks src/core/access.ts); anyone who is not an organiser is told why not.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import { parseCommand } from '../../src/core/journeys/commands.ts';
import type { Me } from '../../src/core/journeys/context.ts';
import { dashboardCommand } from '../../src/core/journeys/dashboard.ts';
import { digestCommand } from '../../src/core/journeys/digest.ts';
import { helpMessage, nextGatheringBlocks, openTaskBlocks } from '../../src/core/journeys/overview.ts';
import { openStatus, submitShortStatus } from '../../src/core/journeys/status.ts';
import { linkSteeringChannel } from '../../src/core/journeys/steering.ts';
import { slashCommandSchema, type SlashCommand } from './payloads.ts';
import { failureText, plainMessage, replyTo, type Reply } from './replies.ts';
import { renderForm, renderMessage } from './render.ts';
import type { SlackServices } from './services.ts';

/** Handles one slash command body (already acknowledged). Never throws. */
export async function onSlashCommand(s: SlackServices, client: webApi.WebClient, body: unknown, respond: RespondFn | undefined): Promise<void> {
  const parsed = slashCommandSchema.safeParse(body);
  if (!parsed.success) {
    s.logger.warn({ issues: parsed.error.issues }, 'Slack: a slash command with an unexpected shape');
    const userId = typeof (body as { user_id?: unknown })?.user_id === 'string' ? (body as { user_id: string }).user_id : undefined;
    if (respond || userId) await replyTo(userId ?? '', client, respond, s.logger)(s.journeys.texts.t('nb', 'slack.bad_request'));
    return;
  }
  const cmd = parsed.data;
  const reply = replyTo(cmd.user_id, client, respond, s.logger);
  let locale: Me['locale'] = 'nb';
  try {
    const person = await s.identity.resolve(s.journeys, client, cmd.user_id);
    if (person.kind === 'unknown') return await reply(person.message);
    locale = person.me.locale;
    await runCommand(s, client, cmd, person.me, reply);
  } catch (err) {
    await reply(failureText(err, s.journeys.texts, locale, s.logger, `the command ${cmd.command}`));
  }
}

async function runCommand(s: SlackServices, client: webApi.WebClient, cmd: SlashCommand, me: Me, reply: Reply): Promise<void> {
  const t = (key: string) => s.journeys.texts.t(me.locale, key);
  if (cmd.command === '/status') return statusCommand(s, client, cmd, me, cmd.text, reply);
  if (cmd.command !== '/samla') return reply(t('slack.unknown_command'));
  const parsed = parseCommand(cmd.text);
  switch (parsed.command) {
    case 'status':
      return statusCommand(s, client, cmd, me, parsed.args, reply);
    case 'tasks':
      return reply({ fallback: t('home.open_tasks'), blocks: await openTaskBlocks(s.journeys, me) });
    case 'next':
      return reply({ fallback: t('home.title'), blocks: nextGatheringBlocks(s.journeys, me) });
    case 'help': {
      const help = helpMessage(s.journeys, me.locale);
      const organiser = me.organiserOf.length > 0 ? [{ type: 'context' as const, text: t('lagging.slack_help_digest') }] : [];
      return reply({ ...help, blocks: [...help.blocks, { type: 'context', text: t('slack.help_commands') }, ...organiser] });
    }
    case 'digest':
      return reply((await digestCommand(s.journeys, me, parsed.args)).message);
    case 'dashboard':
      // The answer to a slash command is ephemeral: only the organiser sees the link.
      return reply(dashboardCommand(s.journeys, me, 'private').message);
    case 'link_steering':
      return linkCommand(s, client, cmd, me, parsed.municipality, reply);
    default:
      return reply(t('slack.unknown_command'));
  }
}

async function statusCommand(s: SlackServices, client: webApi.WebClient, cmd: SlashCommand, me: Me, text: string, reply: Reply): Promise<void> {
  const opening = text.trim() ? await submitShortStatus(s.journeys, me, text, undefined, { carryText: true }) : await openStatus(s.journeys, me);
  if (opening.kind === 'form') {
    await client.views.open({ trigger_id: cmd.trigger_id, view: renderForm(opening.form) });
    return;
  }
  return reply(opening.message);
}

/** `/samla link steering <kommunenummer>`: links the channel the command was typed in. */
async function linkCommand(s: SlackServices, client: webApi.WebClient, cmd: SlashCommand, me: Me, municipality: string, reply: Reply): Promise<void> {
  const t = (key: string) => s.journeys.texts.t(me.locale, key);
  if (cmd.channel_id.startsWith('D')) return reply(t('slack.link_in_channel'));
  const r = await linkSteeringChannel(s.journeys, me, { municipality, platform: 'slack', channel: cmd.channel_id });
  if (r.kind === 'refused') return reply(r.message);
  // Posting the confirmation into the channel also proves the bot can reach it.
  try {
    await client.chat.postMessage({ channel: cmd.channel_id, ...renderMessage(plainMessage(r.message)) });
  } catch (err) {
    s.logger.info({ err, channel: cmd.channel_id }, 'Slack: linked a steering channel the bot cannot post to yet');
    await reply(`${r.message} ${t('slack.invite_hint')}`);
  }
}
