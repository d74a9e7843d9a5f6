/**
 * Text commands typed to Samla in Teams (a personal chat, or a channel with an @mention), parsed
 * by the core's `parseCommand` (forgiving case, accents and a leading slash) and answered by the
 * core journeys:
 *
 * | typed                        | answer                                                         |
 * |------------------------------|----------------------------------------------------------------|
 * | `status`, `/status`          | the status card (journeys/status.ts); a choice when the person leads several municipalities |
 * | `status <text>`              | a short status, stored at once                                 |
 * | `oppgaver`                   | my open tasks, with Done / Comment                             |
 * | `neste`                      | the next gathering of each of my networks                      |
 * | `hjelp`, `help`, or nothing  | what Samla understands                                         |
 * | `dashboard`                  | organisers: a link to the dashboard (journeys/dashboard.ts); in a personal chat only |
 * | `link steering <kommune>`    | links the steering group to this channel (journeys/steering.ts); channels only |
 * | `digest [network]`           | the organisers' weekly digest as it looks now (journeys/digest.ts), in a personal chat only; others are told why not |
 * | anything else                | a hint to type `hjelp`                                         |
 */
import { parseCommand } from '../../src/core/journeys/commands.ts';
import type { JourneyContext, Me } from '../../src/core/journeys/context.ts';
import { dashboardCommand } from '../../src/core/journeys/dashboard.ts';
import { digestCommand } from '../../src/core/journeys/digest.ts';
import { helpMessage, nextGatheringBlocks, openTaskBlocks } from '../../src/core/journeys/overview.ts';
import { openStatus, submitShortStatus } from '../../src/core/journeys/status.ts';
import { linkSteeringChannel } from '../../src/core/journeys/steering.ts';
import type { ConversationKind } from './activity.ts';
import { formCard, messageCard } from './cards.ts';
import { type Outcome, say, show } from './outcome.ts';

/** The view name carried by the task list's buttons, so an answer redraws the list. */
export const TASKS_VIEW = 'tasks';

export interface CommandPlace {
  kind: ConversationKind;
  /** The channel id, for `link steering`. */
  channel: string;
}

export function fixErrorsTexts(ctx: JourneyContext, me: Me) {
  return { fixErrors: ctx.texts.t(me.locale, 'teams.fix_errors') };
}

/** The task list as a card whose buttons redraw the list. */
export async function tasksCard(ctx: JourneyContext, me: Me, before: Parameters<typeof messageCard>[0]['blocks'] = []) {
  const blocks = [...before, ...(await openTaskBlocks(ctx, me))];
  return messageCard({ fallback: ctx.texts.t(me.locale, 'home.open_tasks'), blocks }, { view: TASKS_VIEW });
}

export async function answerCommand(ctx: JourneyContext, me: Me, text: string, place: CommandPlace): Promise<Outcome> {
  const t = (key: string) => ctx.texts.t(me.locale, key);
  if (!text.trim()) return show(messageCard(helpMessage(ctx, me.locale)));
  const cmd = parseCommand(text);
  switch (cmd.command) {
    case 'status': {
      if (cmd.args) {
        const short = await submitShortStatus(ctx, me, cmd.args);
        if (short.kind === 'saved' || short.kind === 'refused') return say(short.message);
        if (short.kind === 'choose') return show(messageCard(short.message));
        return show(formCard(short.form, { texts: fixErrorsTexts(ctx, me) }));
      }
      const opening = await openStatus(ctx, me);
      if (opening.kind === 'form') return show(formCard(opening.form, { texts: fixErrorsTexts(ctx, me) }));
      if (opening.kind === 'choose') return show(messageCard(opening.message));
      return say(opening.message);
    }
    case 'tasks':
      return show(await tasksCard(ctx, me));
    case 'next': {
      const blocks = nextGatheringBlocks(ctx, me);
      return blocks.length ? show(messageCard({ fallback: t('home.title'), blocks })) : say(t('home.no_next_gathering'));
    }
    case 'help': {
      const help = helpMessage(ctx, me.locale);
      if (me.organiserOf.length === 0) return show(messageCard(help));
      return show(messageCard({ ...help, blocks: [...help.blocks, { type: 'text', text: ctx.texts.t(me.locale, 'lagging.help_digest') }] }));
    }
    case 'digest': {
      // The digest names municipalities that may need support: never into a channel they may read.
      if (place.kind !== 'personal') return say(t('lagging.teams_digest_in_chat'));
      const r = await digestCommand(ctx, me, cmd.args);
      return r.kind === 'digest' ? show(messageCard(r.message)) : say(r.message);
    }
    case 'dashboard':
      // A signed link: only in a personal chat, where nobody else reads it.
      return say(dashboardCommand(ctx, me, place.kind === 'personal' ? 'private' : 'shared').message);
    case 'link_steering': {
      if (place.kind !== 'channel') return say(t('teams.link_in_channel'));
      const result = await linkSteeringChannel(ctx, me, { municipality: cmd.municipality, platform: 'teams', channel: place.channel });
      return say(result.message);
    }
    default:
      return say(t('help.unknown_command'));
  }
}
