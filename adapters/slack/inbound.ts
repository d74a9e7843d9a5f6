/**
 * Slack requests in and answers out. Each listener of ./app.ts parses its payload (./payloads.ts)
 * into the core's Inbound, hands it to the dispatcher (src/core/dispatch/dispatcher.ts), and
 * renders the Outcome:
 *
 * | request             | Outcome → Slack                                                          |
 * |---------------------|--------------------------------------------------------------------------|
 * | slash command       | form → `views.open` (the trigger_id is valid for 3 s); message/text → the response_url, ephemeral; linked → a confirmation posted into the channel (or the invite hint when the bot is not in it) |
 * | button              | form → `views.open` remembering the message; a message or text that replaces → `chat.update` on the message, `views.publish` in the App Home, or the response_url; else a new ephemeral answer |
 * | modal submission    | the ack IS the answer: form with errors → `response_action: "errors"`; a form → `update` to it; recorded with a notice → `update` to the notice; recorded → the modal closes and the message the form came from is updated |
 * | `app_home_opened`   | `views.publish` of the overview                                          |
 *
 * A request Slack redelivers (same `event_id`, or an interaction with the same `trigger_id`) is
 * answered `none` by the dispatcher and changes nothing.
 */
import type { RespondFn, types, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../src/core/dispatch/dispatcher.ts';
import { isFormId } from '../../src/core/dispatch/ids.ts';
import { inboundPayloadSchema, type Inbound, type Intent, type Outcome, type Place, type PlatformDirectory } from '../../src/core/dispatch/intent.ts';
import type { MessageDraft } from '../../src/core/drafts.ts';
import type { Locale } from '../../src/core/model.ts';
import type { Texts } from '../../src/core/texts.ts';
import { readFormValues } from './formValues.ts';
import { slackUserKey, type SlackIdentity } from './identity.ts';
import { blockActionsSchema, parseJson, slashCommandSchema, viewMetadataSchema, viewSubmissionSchema, type BlockActions, type SlashCommand, type ViewSubmission } from './payloads.ts';
import { plainMessage, replyTo, type Reply } from './replies.ts';
import { renderErrors, renderForm, renderHome, renderMessage, renderNotice, viewArgument, type ViewMetadata } from './render.ts';
import type { WorkspaceRoutes } from './workspaces.ts';

export interface SlackInbound {
  dispatcher: Dispatcher;
  identity: SlackIdentity;
  texts: Texts;
  logger: Logger;
  /** Set when Samla serves several workspaces: a person is matched within their own. */
  workspaces?: WorkspaceRoutes;
}

/** The id a redelivery would repeat: `event:<event_id>` or `trigger:<trigger_id>`. */
export function deliveryId(body: unknown): string | undefined {
  const b = body as { event_id?: unknown; trigger_id?: unknown } | undefined;
  if (typeof b?.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b?.trigger_id === 'string') return `trigger:${b.trigger_id}`;
  return undefined;
}

/** The workspace (T…) a request comes from: the user's, else the request's team. */
export function teamOf(body: unknown): string | undefined {
  const b = body as { user?: { team_id?: unknown }; team_id?: unknown; team?: { id?: unknown } | null } | undefined;
  const t = b?.user?.team_id ?? b?.team_id ?? b?.team?.id;
  return typeof t === 'string' && /^T[A-Z0-9]+$/.test(t) ? t : undefined;
}

function inbound(s: SlackInbound, client: webApi.WebClient, userId: string, body: unknown, place: Place, intent: Intent): Inbound {
  const id = deliveryId(body);
  const team = s.workspaces ? teamOf(body) : undefined;
  const user = team ? { id: userId, key: slackUserKey(team, userId) } : { id: userId };
  return { platform: 'slack', user, ...(id ? { eventId: id } : {}), place, intent, directory: directoryOf(s, client, userId, team) };
}

/**
 * Slack's users.info, for the core's identity resolver. Serving several workspaces, an email is
 * only who the user is when the networks name no workspace for that person, or this one: a user
 * of workspace A with the email of a person in workspace B's municipality is not that person.
 */
function directoryOf(s: SlackInbound, client: webApi.WebClient, userId: string, team: string | undefined): PlatformDirectory {
  return {
    lookup: async () => {
      const found = await s.identity.lookup(client, userId);
      if (!found || !team || !s.workspaces) return found;
      const emails: string[] = [];
      for (const email of found.emails) {
        const teams = await s.workspaces.teamsOf(email);
        if (teams.size === 0 || teams.has(team)) emails.push(email);
        else s.logger.warn({ team, user: userId, workspaces: [...teams] }, 'Slack: a user’s email belongs to a person of another workspace; not matched');
      }
      return { ...found, emails, key: slackUserKey(team, userId), authoritative: found.authoritative && emails.length === found.emails.length };
    },
  };
}

/** A DM channel id starts with D; anything else (public, private, group) is a channel. */
function placeOf(channelId: string | undefined): Place {
  const personal = !channelId || channelId.startsWith('D');
  return { conversation: personal ? 'personal' : 'channel', ...(channelId ? { channel: channelId } : {}), private: true };
}

/** What `schema.safeParse` gives, or the payload as already checked with that schema. */
function parsedOr<T>(checked: T | undefined, parse: () => { success: true; data: T } | { success: false; error: { issues: unknown } }) {
  return checked !== undefined ? ({ success: true, data: checked } as const) : parse();
}

/** One slash command (already acknowledged; `checked`: its body as slashCommandSchema parsed it). Never throws. */
export async function onSlashCommand(s: SlackInbound, client: webApi.WebClient, body: unknown, respond: RespondFn | undefined, checked?: SlashCommand): Promise<void> {
  const parsed = parsedOr(checked, () => slashCommandSchema.safeParse(body));
  if (!parsed.success) {
    s.logger.warn({ issues: parsed.error.issues }, 'Slack: a slash command with an unexpected shape');
    const userId = typeof (body as { user_id?: unknown })?.user_id === 'string' ? (body as { user_id: string }).user_id : undefined;
    if (respond || userId) await replyTo(userId ?? '', client, respond, s.logger)(s.texts.t('nb', 'slack.bad_request'));
    return;
  }
  const cmd = parsed.data;
  // `/status …` is the command "status …"; `/samla …` says the command; any other is not Samla's.
  const text = cmd.command === '/status' ? `status ${cmd.text}` : cmd.command === '/samla' ? cmd.text : `${cmd.command} ${cmd.text}`;
  const { outcome } = await s.dispatcher.dispatch(inbound(s, client, cmd.user_id, body, placeOf(cmd.channel_id), { kind: 'command', text }));
  const reply = replyTo(cmd.user_id, client, respond, s.logger);
  try {
    switch (outcome.kind) {
      case 'form':
        await client.views.open({ trigger_id: cmd.trigger_id, view: viewArgument(renderForm(outcome.form)) });
        return;
      case 'linked':
        // Posting the confirmation into the channel also proves the bot can reach it.
        try {
          await client.chat.postMessage({ channel: outcome.channel, ...renderMessage(plainMessage(outcome.text)) });
        } catch (err) {
          s.logger.info({ err, channel: outcome.channel }, 'Slack: linked a steering channel the bot cannot post to yet');
          await reply(`${outcome.text} ${outcome.inviteHint}`);
        }
        return;
      default:
        return await answer(reply, outcome);
    }
  } catch (err) {
    s.logger.error({ err, command: cmd.command }, 'Slack: answering a command failed');
  }
}

/** Answers with a message or a text (a form, in a modal-less place, is shown by its intro). */
async function answer(reply: Reply, outcome: Outcome, replace = false): Promise<void> {
  switch (outcome.kind) {
    case 'message':
      return reply(outcome.message, { replace: replace && !!outcome.replace });
    case 'recorded':
      return reply(outcome.notice ?? outcome.message, { replace });
    case 'text':
      return reply(outcome.text, { replace: replace && !!outcome.replace });
    case 'linked':
      return reply(outcome.text);
    case 'form':
      return reply(outcome.form.intro ?? outcome.form.title);
    case 'none':
      return;
  }
}

/** One button click (already acknowledged; `checked`: its body as blockActionsSchema parsed it). Never throws. */
export async function onBlockAction(s: SlackInbound, client: webApi.WebClient, body: unknown, respond: RespondFn | undefined, checked?: BlockActions): Promise<void> {
  const parsed = parsedOr(checked, () => blockActionsSchema.safeParse(body));
  const payload = parsed.success ? parseJson(inboundPayloadSchema, parsed.data.actions[0]!.value) : undefined;
  if (!parsed.success || !payload) {
    s.logger.warn({ issues: parsed.success ? 'bad action value' : parsed.error.issues }, 'Slack: a button click with an unexpected shape');
    if (respond) await replyTo('', client, respond, s.logger)(s.texts.t('nb', 'slack.bad_request'));
    return;
  }
  const click = parsed.data;
  const userId = click.user.id;
  const c = click.container;
  const origin = c?.type === 'message' && c.channel_id && c.message_ts && !c.is_ephemeral ? { channel: c.channel_id, ts: c.message_ts } : undefined;
  const place = placeOf(c?.channel_id ?? click.channel?.id);
  const request = inbound(s, client, userId, body, place, { kind: 'action', payload });
  const { outcome } = await s.dispatcher.dispatch(request);
  const reply = replyTo(userId, client, respond, s.logger);
  try {
    if (outcome.kind === 'form') {
      await client.views.open({ trigger_id: click.trigger_id, view: viewArgument(renderForm(outcome.form, origin)) });
      return;
    }
    const inPlace = (outcome.kind === 'message' || outcome.kind === 'text') && outcome.replace;
    if (!inPlace) return await answer(reply, outcome);
    const draft: MessageDraft = outcome.kind === 'message' ? outcome.message : plainMessage(outcome.text);
    if (outcome.kind === 'message' && origin) {
      await client.chat.update({ channel: origin.channel, ts: origin.ts, ...renderMessage(draft) });
    } else if (outcome.kind === 'message' && c?.type === 'view') {
      const { eventId: _handled, ...again } = request;
      await publishHome(s, client, { ...again, intent: { kind: 'home' } });
    } else {
      await reply(draft, { replace: true });
    }
  } catch (err) {
    s.logger.error({ err, action: payload.a }, 'Slack: answering a button failed');
    await reply(s.texts.t('nb', 'errors.unavailable'));
  }
}

/** What to acknowledge a view_submission with (undefined closes the modal). */
export type SubmissionAck =
  | undefined
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: types.ModalView };

/** Work to do after the ack (updating the message the form came from). */
export type AfterAck = (() => Promise<void>) | undefined;

/**
 * One modal submission. The answer to a submission IS its acknowledgement, so the dispatcher runs
 * first (a few Redis calls, well inside Slack's 3 seconds). `checked`: the body as
 * viewSubmissionSchema parsed it. Never throws.
 */
export async function onViewSubmission(s: SlackInbound, client: webApi.WebClient, body: unknown, checked?: ViewSubmission): Promise<{ ack: SubmissionAck; after?: AfterAck }> {
  const notice = (locale: Locale, text: string): SubmissionAck => ({ response_action: 'update', view: renderNotice(s.texts.t(locale, 'home.title'), text) });
  const parsed = parsedOr(checked, () => viewSubmissionSchema.safeParse(body));
  if (parsed.success && parsed.data.view.callback_id === 'notice') return { ack: undefined };
  const meta = parsed.success ? parseJson(viewMetadataSchema, parsed.data.view.private_metadata) : undefined;
  if (!parsed.success || !meta || !isFormId(parsed.data.view.callback_id)) {
    s.logger.warn({ issues: parsed.success ? 'bad private_metadata or callback_id' : parsed.error.issues }, 'Slack: a modal submission with an unexpected shape');
    return { ack: notice('nb', s.texts.t('nb', 'slack.bad_request')) };
  }
  const view = parsed.data.view;
  const values = readFormValues(view.state.values);
  const inputs = Object.keys(view.state.values);
  const { outcome, locale } = await s.dispatcher.dispatch(
    inbound(s, client, parsed.data.user.id, body, placeOf(meta.origin?.channel), { kind: 'action', payload: meta.payload, values }),
  );
  switch (outcome.kind) {
    case 'form':
      return { ack: outcome.errors ? renderErrors({ errors: outcome.errors }, inputs) : { response_action: 'update', view: renderForm(outcome.form, meta.origin) } };
    case 'recorded':
      if (outcome.notice !== undefined) return { ack: notice(locale, outcome.notice) };
      return { ack: undefined, after: updateOrigin(s, client, meta.origin, outcome.message) };
    case 'message':
      return { ack: notice(locale, outcome.message.fallback) };
    case 'text':
    case 'linked':
      return { ack: notice(locale, outcome.text) };
    case 'none':
      return { ack: undefined };
  }
}

function updateOrigin(s: SlackInbound, client: webApi.WebClient, origin: ViewMetadata['origin'], draft: MessageDraft): AfterAck {
  if (!origin) return undefined;
  return async () => {
    try {
      await client.chat.update({ channel: origin.channel, ts: origin.ts, ...renderMessage(draft) });
    } catch (err) {
      s.logger.warn({ err }, 'Slack: could not update the message a form came from');
    }
  };
}

/** The App Home tab: the person's overview (or who to contact, or "try again"). Never throws. */
export async function publishHome(s: SlackInbound, client: webApi.WebClient, request: Inbound): Promise<void> {
  const { outcome } = await s.dispatcher.dispatch(request);
  const draft = outcome.kind === 'message' ? outcome.message : outcome.kind === 'text' ? plainMessage(outcome.text) : undefined;
  if (!draft) return;
  try {
    await client.views.publish({ user_id: request.user.id, view: viewArgument(renderHome(draft)) });
  } catch (err) {
    s.logger.warn({ err, user: request.user.id }, 'Slack: views.publish failed');
  }
}

/** `app_home_opened` for the Home tab (the Messages tab needs nothing). */
export async function onAppHomeOpened(s: SlackInbound, client: webApi.WebClient, body: unknown, userId: string, tab: string | undefined): Promise<void> {
  if (tab !== undefined && tab !== 'home') return;
  await publishHome(s, client, inbound(s, client, userId, body, placeOf(undefined), { kind: 'home' }));
}
