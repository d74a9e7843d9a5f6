/**
 * The one path from every platform into the core. An adapter verifies and parses a request into
 * an Inbound (./intent.ts) and renders the Outcome it gets back; here, in order:
 *
 * 1. a delivery seen before (same platform and event id: Slack's retries, Teams' redelivery) is
 *    answered with `none` and changes nothing;
 * 2. the person is identified (./identity.ts), the same way for every platform;
 * 3. the intent is routed: typed commands by parseCommand, buttons and forms by their ActionId;
 *    each journey authorises (src/core/journeys/*, src/core/access.ts) and records;
 * 4. a refusal becomes its message; a card pointing at something that is not there, "nothing
 *    was saved"; any other failure "try again in a minute", logged.
 *
 * Nothing here knows Block Kit or Adaptive Cards, and no adapter switches on an action id.
 */
import { isSamlaError } from '../errors.ts';
import type { ActionPayload, DraftBlock, MessageDraft } from '../drafts.ts';
import { parseCommand } from '../journeys/commands.ts';
import { answerCheckin, openCheckinForm } from '../journeys/checkin.ts';
import { JourneyRefusal, type JourneyContext, type Me } from '../journeys/context.ts';
import { dashboardCommand } from '../journeys/dashboard.ts';
import { digestCommand } from '../journeys/digest.ts';
import { helpMessage, nextGatheringBlocks, openTaskBlocks, overview } from '../journeys/overview.ts';
import { reflectionForm, openReflection, submitReflection } from '../journeys/reflection.ts';
import { openStatus, submitShortStatus, submitStatus, type StatusOpening } from '../journeys/status.ts';
import { linkSteeringChannel } from '../journeys/steering.ts';
import { logSteeringMeeting, openSteeringMetForm } from '../journeys/steeringMeeting.ts';
import { answerTask, openTaskComment } from '../journeys/tasks.ts';
import type { Locale, Platform, StatusReport } from '../model.ts';
import type { IdentityStore, InboundLog } from '../ports.ts';
import { isActionId, type ActionId } from './ids.ts';
import { IdentityResolver, IdentityUnavailable } from './identity.ts';
import type { Dispatched, Inbound, Outcome, Place } from './intent.ts';

/** The view name carried by the task list's buttons, so an answer redraws the list. */
export const TASKS_VIEW = 'tasks';

/** Where the dispatcher reports what it could not handle; pino's Logger fits. */
export interface DispatchLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DispatcherDeps {
  journeys: JourneyContext;
  identities: IdentityStore;
  inbound: InboundLog;
  logger: DispatchLog;
}

/** Texts whose wording differs by platform (Slack's commands start with `/samla`). */
const PLATFORM_TEXT: Record<'unknownCommand' | 'unknownAction' | 'invalidAction' | 'linkInChannel' | 'inviteHint' | 'digestInChat', Record<Platform, string>> = {
  unknownCommand: { slack: 'slack.unknown_command', teams: 'help.unknown_command' },
  unknownAction: { slack: 'slack.bad_request', teams: 'teams.unknown_action' },
  invalidAction: { slack: 'slack.bad_request', teams: 'teams.invalid_submission' },
  linkInChannel: { slack: 'slack.link_in_channel', teams: 'teams.link_in_channel' },
  inviteHint: { slack: 'slack.invite_hint', teams: 'slack.invite_hint' },
  digestInChat: { slack: 'lagging.teams_digest_in_chat', teams: 'lagging.teams_digest_in_chat' },
};

export class Dispatcher {
  readonly identity: IdentityResolver;

  constructor(private readonly deps: DispatcherDeps) {
    this.identity = new IdentityResolver(deps.journeys, deps.identities);
  }

  private get ctx(): JourneyContext {
    return this.deps.journeys;
  }

  /** Handles one inbound request; never throws. */
  async dispatch(inbound: Inbound): Promise<Dispatched> {
    let locale: Locale = 'nb';
    try {
      // The redelivery mark and the identity reads go out together (one round trip); a
      // redelivery's identity is read for nothing, which changes nothing.
      const identifying = this.identity.identify(inbound.platform, inbound.user, inbound.directory, inbound.localeTag);
      identifying.catch(() => {}); // awaited below unless this is a redelivery
      if (!(await this.firstDelivery(inbound))) return { outcome: { kind: 'none', reason: 'duplicate' }, locale };
      const who = await identifying;
      if (who.kind === 'unknown') return { outcome: { kind: 'text', text: who.message }, locale: who.locale };
      const me = who.me;
      locale = me.locale;
      const person = { email: me.email, locale: me.locale, networks: networksOf(me) };
      try {
        return { outcome: await this.route(inbound, me), locale, person };
      } catch (err) {
        return { outcome: this.failure(inbound, err, locale), locale, person };
      }
    } catch (err) {
      if (err instanceof IdentityUnavailable) locale = err.locale;
      return { outcome: this.failure(inbound, err, locale), locale };
    }
  }

  /** True unless this delivery was handled before. If Redis cannot say, it is handled (fail open). */
  private async firstDelivery(inbound: Inbound): Promise<boolean> {
    if (!inbound.eventId) return true;
    try {
      if (await this.deps.inbound.first(inbound.platform, inbound.eventId)) return true;
    } catch (err) {
      this.deps.logger.warn({ err, platform: inbound.platform, delivery: inbound.eventId }, 'Could not check for a redelivery; handling it');
      return true;
    }
    this.deps.logger.info({ platform: inbound.platform, delivery: inbound.eventId }, 'Skipped a redelivery');
    return false;
  }

  private failure(inbound: Inbound, err: unknown, locale: Locale): Outcome {
    const t = (key: string) => this.ctx.texts.t(locale, key);
    if (err instanceof JourneyRefusal) return { kind: 'text', text: err.userMessage };
    if (isSamlaError(err) && err.isUserError && inbound.intent.kind === 'action') {
      // A card pointing at something that is not there (any more): nothing was stored.
      this.deps.logger.warn({ err }, 'A button or form pointed at something Samla does not have');
      return { kind: 'text', text: t(PLATFORM_TEXT.invalidAction[inbound.platform]) };
    }
    this.deps.logger.error({ err, platform: inbound.platform, intent: inbound.intent.kind }, 'A request failed; the person was told Samla is unavailable');
    return { kind: 'text', text: t('errors.unavailable') };
  }

  private route(inbound: Inbound, me: Me): Promise<Outcome> {
    const intent = inbound.intent;
    switch (intent.kind) {
      case 'command':
        return this.command(inbound.platform, me, intent.text, inbound.place);
      case 'home':
        return overview(this.ctx, me).then((message) => ({ kind: 'message', message }));
      case 'action': {
        const a = intent.payload.a;
        if (!isActionId(a)) {
          this.deps.logger.warn({ action: a, platform: inbound.platform }, 'A button Samla does not know');
          return Promise.resolve({ kind: 'text', text: this.ctx.texts.t(me.locale, PLATFORM_TEXT.unknownAction[inbound.platform]) });
        }
        return this.action(me, { ...intent.payload, a }, intent.values ?? {}, intent.view);
      }
    }
  }

  /** A typed command (a Teams message, a Slack slash command). */
  private async command(platform: Platform, me: Me, text: string, place: Place): Promise<Outcome> {
    const t = (key: string, vars?: Record<string, string | number>) => this.ctx.texts.t(me.locale, key, vars);
    if (!text.trim()) return { kind: 'message', message: this.help(platform, me) };
    const cmd = parseCommand(text);
    switch (cmd.command) {
      case 'status':
        if (cmd.args) return this.shortStatus(me, cmd.args);
        return opening(await openStatus(this.ctx, me), false);
      case 'tasks':
        return { kind: 'message', message: await this.taskList(me), view: TASKS_VIEW };
      case 'next': {
        const blocks = nextGatheringBlocks(this.ctx, me);
        return blocks.length ? { kind: 'message', message: { fallback: t('home.title'), blocks } } : { kind: 'text', text: t('home.no_next_gathering') };
      }
      case 'help':
        return { kind: 'message', message: this.help(platform, me) };
      case 'digest': {
        // The digest names municipalities that may need support: never where others read it.
        if (!place.private) return { kind: 'text', text: t(PLATFORM_TEXT.digestInChat[platform]) };
        const r = await digestCommand(this.ctx, me, cmd.args);
        return r.kind === 'digest' ? { kind: 'message', message: r.message } : { kind: 'text', text: r.message };
      }
      case 'dashboard':
        // A signed link: only where nobody else reads it.
        return { kind: 'text', text: dashboardCommand(this.ctx, me, place.private ? 'private' : 'shared').message };
      case 'link_steering': {
        if (place.conversation !== 'channel' || !place.channel) return { kind: 'text', text: t(PLATFORM_TEXT.linkInChannel[platform]) };
        const r = await linkSteeringChannel(this.ctx, me, { municipality: cmd.municipality, platform, channel: place.channel });
        return r.kind === 'linked' ? { kind: 'linked', text: r.message, channel: place.channel, inviteHint: t(PLATFORM_TEXT.inviteHint[platform]) } : { kind: 'text', text: r.message };
      }
      default:
        return { kind: 'text', text: t(PLATFORM_TEXT.unknownCommand[platform]) };
    }
  }

  /** `status <text>`: saved at once; someone leading several municipalities chooses, and the choice carries the text. */
  private async shortStatus(me: Me, text: string, choice?: { network: string; municipality: string }, fromButton = false): Promise<Outcome> {
    const r = await submitShortStatus(this.ctx, me, text, choice, { carryText: true });
    if (r.kind === 'saved') return { kind: 'text', text: r.message, replace: fromButton };
    return opening(r, false);
  }

  private help(platform: Platform, me: Me): MessageDraft {
    const t = (key: string) => this.ctx.texts.t(me.locale, key);
    const help = helpMessage(this.ctx, me.locale);
    const organiser = me.organiserOf.length > 0;
    const extra: DraftBlock[] =
      platform === 'slack'
        ? [{ type: 'context', text: t('slack.help_commands') }, ...(organiser ? [{ type: 'context' as const, text: t('lagging.slack_help_digest') }] : [])]
        : organiser
          ? [{ type: 'text', text: t('lagging.help_digest') }]
          : [];
    return { ...help, blocks: [...help.blocks, ...extra] };
  }

  /** My open tasks; `before` goes on top (what was just recorded). */
  private async taskList(me: Me, before: DraftBlock[] = []): Promise<MessageDraft> {
    return { fallback: this.ctx.texts.t(me.locale, 'home.open_tasks'), blocks: [...before, ...(await openTaskBlocks(this.ctx, me))] };
  }

  /** A button or a form's submit button. */
  private async action(me: Me, payload: ActionPayload, values: Record<string, string | string[] | undefined>, view: string | undefined): Promise<Outcome> {
    const ctx = this.ctx;
    const a: ActionId = payload.a;
    const choice = payload.m ? { network: payload.n, municipality: payload.m } : undefined;
    const fieldErrors = (errors: Record<string, string>): Outcome => ({ kind: 'text', text: Object.values(errors).join(' ') });
    switch (a) {
      case 'task.done':
      case 'task.not_yet': {
        const r = await answerTask(ctx, me, payload, { answer: a === 'task.done' ? 'done' : 'not_yet' });
        if (r.kind === 'invalid') return fieldErrors(r.errors);
        return this.taskAnswered(me, r.message, view, 'message');
      }
      case 'task.comment':
        return { kind: 'form', form: await openTaskComment(ctx, me, payload) };
      case 'task.comment_submit': {
        const r = await answerTask(ctx, me, payload, { values });
        if (r.kind === 'invalid') return { kind: 'form', form: await openTaskComment(ctx, me, payload), errors: r.errors, values };
        return this.taskAnswered(me, r.message, view, 'recorded');
      }
      case 'checkin.answer': {
        if (!payload.q || !payload.v) return { kind: 'text', text: ctx.texts.t(me.locale, 'teams.invalid_submission') };
        const r = await answerCheckin(ctx, me, payload, { [payload.q]: payload.v });
        return r.kind === 'invalid' ? fieldErrors(r.errors) : { kind: 'message', message: r.message, replace: true };
      }
      case 'checkin.text':
        return { kind: 'form', form: await openCheckinForm(ctx, me, payload) };
      case 'checkin.open': {
        const { q: _only, ...all } = payload;
        return { kind: 'form', form: await openCheckinForm(ctx, me, all) };
      }
      case 'checkin.submit': {
        const r = await answerCheckin(ctx, me, payload, values);
        if (r.kind === 'invalid') return { kind: 'form', form: await openCheckinForm(ctx, me, payload), errors: r.errors, values };
        return { kind: 'recorded', message: r.message };
      }
      case 'status.open':
        return opening(await openStatus(ctx, me, choice), true);
      case 'status.short':
        return this.shortStatus(me, payload.v ?? '', choice, true);
      case 'status.submit': {
        const r = await submitStatus(ctx, me, payload, values);
        if (r.kind === 'saved') return { kind: 'recorded', message: this.statusRecorded(me, r.report, r.message), notice: r.message };
        const form = await openStatus(ctx, me, { network: payload.n, municipality: payload.m ?? '' });
        if (form.kind !== 'form') return { kind: 'text', text: form.kind === 'refused' ? form.message : ctx.texts.t(me.locale, 'teams.invalid_submission') };
        return { kind: 'form', form: form.form, errors: r.errors, values };
      }
      case 'reflection.write':
        return { kind: 'form', form: openReflection(ctx, me, payload) };
      case 'reflection.submit': {
        const r = await submitReflection(ctx, me, payload, values);
        if (r.kind === 'saved') return { kind: 'recorded', message: { fallback: r.message, blocks: [{ type: 'text', text: r.message }] }, notice: r.message };
        if (r.kind === 'confirm') return { kind: 'form', form: r.form };
        return { kind: 'form', form: reflectionForm(ctx, me.locale, payload, values, 'confirm' in values), errors: r.errors, values };
      }
      case 'steering.met':
        return { kind: 'form', form: openSteeringMetForm(ctx, me, payload) };
      case 'steering.met_submit': {
        const r = await logSteeringMeeting(ctx, me, payload, values);
        if (r.kind === 'saved') return { kind: 'recorded', message: { fallback: r.message, blocks: [{ type: 'text', text: r.message }] }, notice: r.message };
        return { kind: 'form', form: openSteeringMetForm(ctx, me, payload), errors: r.errors, values };
      }
    }
  }

  /** A task answer shown where it was given: the task message, or the task list it came from. */
  private async taskAnswered(me: Me, message: MessageDraft, view: string | undefined, kind: 'message' | 'recorded'): Promise<Outcome> {
    if (view === TASKS_VIEW) {
      const list = await this.taskList(me, recordedBlocks(message.blocks));
      return kind === 'message' ? { kind, message: list, replace: true, view: TASKS_VIEW } : { kind, message: list, view: TASKS_VIEW };
    }
    return kind === 'message' ? { kind, message, replace: true } : { kind, message };
  }

  /** The status as recorded: the thank-you line and every field. */
  private statusRecorded(me: Me, report: StatusReport, message: string): MessageDraft {
    const t = (key: string) => this.ctx.texts.t(me.locale, key);
    const none = '—';
    const facts = [
      { label: t('status_form.overall'), value: report.overall ? t(`status.${report.overall}`) : none },
      { label: t('status_form.done'), value: report.done ?? none },
      { label: t('status_form.next'), value: report.next ?? none },
      { label: t('status_form.blockers'), value: report.blockers ?? none },
      { label: t('status_form.plan_parts'), value: report.planParts?.length ? report.planParts.map((p) => t(`status_form.${p}`)).join(', ') : none },
      { label: t('status_form.steering_met'), value: report.steeringMet === undefined ? none : t(report.steeringMet ? 'status_form.yes' : 'status_form.no') },
    ];
    return { fallback: message, blocks: [{ type: 'text', text: message }, { type: 'facts', facts }] };
  }
}

/** What opening the status form leads to; from a button, a choice replaces the button's message. */
function opening(o: StatusOpening, fromButton: boolean): Outcome {
  if (o.kind === 'form') return { kind: 'form', form: o.form };
  if (o.kind === 'choose') return { kind: 'message', message: o.message, replace: fromButton };
  return { kind: 'text', text: o.message };
}

/** The "what was recorded" lines of a task message (the blocks after its buttons). */
function recordedBlocks(blocks: DraftBlock[]): DraftBlock[] {
  const header = blocks.find((b) => b.type === 'header');
  const after = blocks.slice(blocks.findIndex((b) => b.type === 'actions') + 1);
  return [...(header ? [header] : []), ...after, { type: 'divider' }];
}

function networksOf(me: Me): string[] {
  return [...new Set([...me.seats.map((s) => s.network.id), ...me.organiserOf.map((n) => n.id)])];
}
