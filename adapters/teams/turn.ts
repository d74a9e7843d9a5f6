/**
 * One inbound Teams activity, from the SDK's turn to an answer: capture the conversation
 * reference, find out who is speaking, run the journey, and send the outcome.
 *
 * | activity                                   | handling                                                    |
 * |--------------------------------------------|-------------------------------------------------------------|
 * | `message` with text                        | a command (./commands.ts); in a channel only with an @mention |
 * | `message` with `value` (Action.Submit)     | a card answer (./actions.ts); the clicked card (`replyToId`) is updated in place |
 * | `invoke` `adaptiveCard/action`             | the same answer, returned as the invoke response's card      |
 * | `installationUpdate` add, `conversationUpdate` with Samla among `membersAdded` | install: in a team, the roster is synced in the background (./roster.ts) and the channel is greeted; in a personal chat, the person is greeted with the help |
 * | `conversationUpdate` with others in `membersAdded` | those members are synced like the roster                |
 *
 * Nothing here throws to the SDK: a JourneyRefusal becomes its message, any other failure
 * (Redis down, a bug) becomes `errors.unavailable` in the person's language and is logged.
 */
import { Activity } from '@microsoft/agents-activity';
import type { CloudAdapter, ConnectorClient, TurnContext } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import { isSamlaError } from '../../src/core/errors.ts';
import { JourneyRefusal, organisersText, whoAmI, type JourneyContext, type Me } from '../../src/core/journeys/context.ts';
import { helpMessage } from '../../src/core/journeys/overview.ts';
import type { Locale, NetworkDefinition } from '../../src/core/model.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import { answerSubmission } from './actions.ts';
import { type InboundActivity, channelOf, commandText, conversationKind, isCardSubmit, teamOf, tenantOf } from './activity.ts';
import { CARD_CONTENT_TYPE, cardAttachment, messageCard } from './cards.ts';
import { answerCommand } from './commands.ts';
import { readMember, toDeliveryError } from './connector.ts';
import { identifySender } from './identity.ts';
import { type Outcome, say, show } from './outcome.ts';
import type { TeamsReferenceStore } from './references.ts';
import { syncMembers, syncTeamRoster, type RosterDeps, type TeamPlace } from './roster.ts';
import { invokeValueSchema, parseSubmission } from './submission.ts';

export interface TurnServices {
  adapter: CloudAdapter;
  journeys: JourneyContext;
  store: NetworkStore;
  identities: IdentityStore;
  refs: TeamsReferenceStore;
  logger: Logger;
  /** Runs work after the HTTP answer (Teams wants one within seconds); failures are logged. */
  background(label: string, work: () => Promise<unknown>): void;
  /** Teams sends both `installationUpdate` and `conversationUpdate` on install: handle one install (team or chat) once a minute at most. */
  recentSyncs: Map<string, number>;
}

/** The person's language from the activity's locale ("nb-NO", "nn", "en-US"), bokmål otherwise. */
export function localeOf(tag: string | undefined): Locale {
  const l = (tag ?? '').toLowerCase();
  if (l.startsWith('nn')) return 'nn';
  if (l.startsWith('en')) return 'en';
  return 'nb';
}

/** Handles one activity; never throws. */
export async function handleTurn(svc: TurnServices, context: TurnContext, a: InboundActivity): Promise<void> {
  const client = context.turnState.get<ConnectorClient>(svc.adapter.ConnectorClientKey);
  try {
    await captureConversation(svc, a);
  } catch (err) {
    // Redis may be down: the person still gets an answer (errors.unavailable) below.
    svc.logger.error({ err, conversation: a.conversation.id }, 'Storing a Teams conversation reference failed');
  }
  try {
    switch (a.type) {
      case 'message':
        if (conversationKind(a) !== 'personal' && !isCardSubmit(a) && !mentionsBot(a)) return;
        return await respond(svc, context, a, client, (me) => (isCardSubmit(a) ? onSubmit(svc, me, a.value) : onText(svc, me, a)));
      case 'invoke':
        if (a.name !== 'adaptiveCard/action') return;
        return await respond(svc, context, a, client, (me) => {
          const value = invokeValueSchema.safeParse(a.value);
          return value.success ? onSubmit(svc, me, value.data.action.data ?? {}) : Promise.resolve(say(svc.journeys.texts.t(me.locale, 'teams.invalid_submission')));
        });
      case 'installationUpdate':
        if (a.action === 'add' || a.action === 'add-upgrade') await onInstall(svc, context, a, client);
        else svc.logger.info({ conversation: a.conversation.id, action: a.action }, 'Samla was removed from a Teams conversation');
        return;
      case 'conversationUpdate': {
        const added = a.membersAdded ?? [];
        if (added.some((m) => m.id === a.recipient.id)) await onInstall(svc, context, a, client);
        const others = added.filter((m) => m.id !== a.recipient.id);
        if (others.length && conversationKind(a) !== 'personal') onMembersAdded(svc, a, client, others);
        return;
      }
      default:
        return;
    }
  } catch (err) {
    svc.logger.error({ err, type: a.type, conversation: a.conversation.id }, 'A Teams activity could not be handled');
  }
}

function mentionsBot(a: InboundActivity): boolean {
  return (a.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === a.recipient.id);
}

/** Stores where this conversation is (and, for a channel message, the channel itself). */
async function captureConversation(svc: TurnServices, a: InboundActivity): Promise<void> {
  const kind = conversationKind(a);
  const base = {
    serviceUrl: a.serviceUrl,
    kind,
    ...(tenantOf(a) ? { tenantId: tenantOf(a) } : {}),
    ...(teamOf(a) ? { teamId: teamOf(a) } : {}),
    botId: a.recipient.id,
    at: svc.journeys.now().toISOString(),
  };
  await svc.refs.saveConversation({ conversationId: a.conversation.id, ...base });
  if (kind === 'channel') {
    const channel = channelOf(a);
    if (channel !== a.conversation.id) await svc.refs.saveConversation({ conversationId: channel, ...base });
    const team = teamOf(a);
    if (team && team !== channel && team !== a.conversation.id) await svc.refs.saveConversation({ conversationId: team, ...base });
  }
}

/**
 * Who is speaking, as a Me; or the outcome to send instead (unknown person). In a personal chat
 * the person's reference is refreshed and they stop counting as unreachable.
 */
async function sender(svc: TurnServices, client: ConnectorClient, a: InboundActivity): Promise<Me | Outcome> {
  const { email } = await identifySender(svc, client, a, teamOf(a) ?? a.conversation.id);
  const me = email ? await whoAmI(svc.journeys, email) : undefined;
  if (!me) return say(await unknownPersonText(svc, localeOf(a.locale)));
  if (conversationKind(a) === 'personal') {
    await svc.refs.savePerson({
      email: me.email,
      userId: a.from.id,
      ...(a.from.aadObjectId ? { aadObjectId: a.from.aadObjectId } : {}),
      ...(tenantOf(a) ? { tenantId: tenantOf(a) } : {}),
      serviceUrl: a.serviceUrl,
      botId: a.recipient.id,
      conversationId: a.conversation.id,
      at: svc.journeys.now().toISOString(),
    });
    const networks = [...new Set([...me.seats.map((s) => s.network.id), ...me.organiserOf.map((n) => n.id)])];
    await svc.store.clearUnreachable(networks, me.email);
  }
  return me;
}

/** errors.unknown_person, naming the organisers of every network Samla holds. */
async function unknownPersonText(svc: TurnServices, locale: Locale): Promise<string> {
  const defs = (await Promise.all((await svc.store.listNetworks()).map((n) => svc.store.getNetwork(n.id)))).filter((d): d is NetworkDefinition => !!d);
  return svc.journeys.texts.t(locale, 'errors.unknown_person', { organisers: organisersText(defs, locale) || '—' });
}

async function onText(svc: TurnServices, me: Me, a: InboundActivity): Promise<Outcome> {
  return answerCommand(svc.journeys, me, commandText(a), { kind: conversationKind(a), channel: channelOf(a) });
}

async function onSubmit(svc: TurnServices, me: Me, data: unknown): Promise<Outcome> {
  const parsed = parseSubmission(data);
  if (!parsed.ok) {
    svc.logger.warn({ reason: parsed.reason }, 'A Teams card submission was not understood');
    return say(svc.journeys.texts.t(me.locale, 'teams.invalid_submission'));
  }
  return answerSubmission(svc.journeys, me, parsed.submission);
}

/** Identifies the sender, runs `work`, and sends the outcome (or the failure, in their language). */
async function respond(svc: TurnServices, context: TurnContext, a: InboundActivity, client: ConnectorClient, work: (me: Me) => Promise<Outcome>): Promise<void> {
  let locale = localeOf(a.locale);
  let outcome: Outcome;
  try {
    const who = await sender(svc, client, a);
    if ('kind' in who) outcome = who;
    else {
      locale = who.locale;
      outcome = await work(who);
    }
  } catch (err) {
    if (err instanceof JourneyRefusal) outcome = say(err.userMessage);
    else if (isSamlaError(err) && err.isUserError && (a.type === 'invoke' || isCardSubmit(a))) {
      // A card pointing at something that is not there (any more): nothing was stored.
      svc.logger.warn({ err }, 'A Teams card submission pointed at something Samla does not have');
      outcome = say(svc.journeys.texts.t(locale, 'teams.invalid_submission'));
    } else {
      svc.logger.error({ err, type: a.type }, 'A Teams request failed; the person was told Samla is unavailable');
      outcome = say(svc.journeys.texts.t(locale, 'errors.unavailable'));
    }
  }
  await deliver(svc, context, a, outcome);
}

/** Sends the outcome: an invoke response, an update of the clicked card, or a new message. */
async function deliver(svc: TurnServices, context: TurnContext, a: InboundActivity, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'none') return;
  if (a.type === 'invoke') {
    const body =
      outcome.kind === 'text'
        ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: outcome.text }
        : { statusCode: 200, type: CARD_CONTENT_TYPE, value: outcome.card };
    await context.sendActivity(Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body } }));
    return;
  }
  try {
    if (outcome.kind === 'update' && a.replyToId) {
      try {
        await context.updateActivity(Activity.fromObject({ type: 'message', id: a.replyToId, summary: outcome.card.fallbackText, attachments: [cardAttachment(outcome.card)] }));
        return;
      } catch (err) {
        // The card may be gone (deleted, too old): show the answer as a new message instead.
        svc.logger.warn({ err: toDeliveryError(err, 'Updating a card').message }, 'Updating the card failed; sending it as a new message');
      }
    }
    if (outcome.kind === 'text') await context.sendActivity(Activity.fromObject({ type: 'message', text: outcome.text }));
    else await context.sendActivity(Activity.fromObject({ type: 'message', summary: outcome.card.fallbackText, attachments: [cardAttachment(outcome.card)] }));
  } catch (err) {
    const failure = toDeliveryError(err, 'Answering in Teams');
    svc.logger.error({ code: failure.code, permanent: failure.permanent, message: failure.message }, 'Samla could not answer in Teams');
  }
}

function rosterDeps(svc: TurnServices): RosterDeps {
  return { store: svc.store, identities: svc.identities, refs: svc.refs, logger: svc.logger, now: svc.journeys.now };
}

function placeOf(a: InboundActivity): TeamPlace {
  return {
    teamId: teamOf(a) ?? a.conversation.id,
    serviceUrl: a.serviceUrl,
    ...(tenantOf(a) ? { tenantId: tenantOf(a) } : {}),
    botId: a.recipient.id,
  };
}

/** Samla was added: to a team (sync the roster, greet the channel) or to a personal chat (greet the person). */
async function onInstall(svc: TurnServices, context: TurnContext, a: InboundActivity, client: ConnectorClient): Promise<void> {
  const personal = conversationKind(a) === 'personal';
  const place = placeOf(a);
  const key = personal ? a.conversation.id : place.teamId;
  const last = svc.recentSyncs.get(key);
  const now = Date.now();
  if (last !== undefined && now - last < 60_000) return;
  svc.recentSyncs.set(key, now);
  if (personal) {
    await respond(svc, context, a, client, async (me) => show(messageCard(helpMessage(svc.journeys, me.locale))));
    return;
  }
  await deliver(svc, context, a, say(svc.journeys.texts.t(localeOf(a.locale), 'teams.installed_team')));
  svc.background(`roster sync of ${place.teamId}`, () => syncTeamRoster(rosterDeps(svc), client, place));
}

/** People joined a team Samla is in: look each up (email, UPN) and sync them like the roster. */
function onMembersAdded(svc: TurnServices, a: InboundActivity, client: ConnectorClient, added: { id: string }[]): void {
  const place = placeOf(a);
  svc.background(`members added to ${place.teamId}`, async () => {
    const members = [];
    for (const m of added) {
      const member = await readMember(client, place.teamId, m.id);
      if (member) members.push(member);
    }
    return syncMembers(rosterDeps(svc), client, place, members, false);
  });
}
