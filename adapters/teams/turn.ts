/**
 * One inbound Teams activity, from the SDK's turn to an answer: capture the conversation
 * reference, translate the activity into the core's Inbound, hand it to the dispatcher
 * (src/core/dispatch/dispatcher.ts: redelivery, identity, journey), and send the outcome.
 *
 * | activity                                   | handling                                                    |
 * |--------------------------------------------|-------------------------------------------------------------|
 * | `message` with text                        | a typed command; in a channel only with an @mention          |
 * | `message` with `value` (Action.Submit)     | a card answer (./submission.ts reads it); the clicked card (`replyToId`) is updated in place |
 * | `invoke` `adaptiveCard/action`             | the same answer, returned as the invoke response's card      |
 * | `installationUpdate` add, `conversationUpdate` with Samla among `membersAdded` | install: in a team, the roster is synced in the background (./roster.ts) and the channel is greeted; in a personal chat, the person is greeted with the help |
 * | `conversationUpdate` with others in `membersAdded` | those members are synced like the roster                |
 *
 * Nothing here throws to the SDK: the dispatcher turns a refusal into its message and any other
 * failure (Redis down, a bug) into `errors.unavailable` in the person's language, logged.
 */
import { Activity } from '@microsoft/agents-activity';
import type { CloudAdapter, ConnectorClient, TurnContext } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../src/core/dispatch/dispatcher.ts';
import { localeFromTag } from '../../src/core/dispatch/identity.ts';
import type { Inbound, Intent, Outcome as CoreOutcome } from '../../src/core/dispatch/intent.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import type { Locale } from '../../src/core/model.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import { type InboundActivity, channelOf, commandText, conversationKind, isCardSubmit, teamOf, tenantOf } from './activity.ts';
import { CARD_CONTENT_TYPE, cardAttachment, formCard, messageCard, textCard } from './cards.ts';
import { readMember, toDeliveryError } from './connector.ts';
import { candidateEmails, identityKey } from './identity.ts';
import { type Outcome, replace, say, show } from './outcome.ts';
import type { TeamsReferenceStore } from '../redis/teamsReferences.ts';
import type { TenantGate } from './tenants.ts';
import { syncMembers, syncTeamRoster, type RosterDeps, type TeamPlace } from './roster.ts';
import { invokeValueSchema, parseSubmission } from './submission.ts';

export interface TurnServices {
  adapter: CloudAdapter;
  dispatcher: Dispatcher;
  journeys: JourneyContext;
  store: NetworkStore;
  identities: IdentityStore;
  refs: TeamsReferenceStore;
  /** Which tenants are answered (checked before the turn) and who is who in which tenant. */
  tenants: TenantGate;
  logger: Logger;
  /** Runs work after the HTTP answer (Teams wants one within seconds); failures are logged. */
  background(label: string, work: () => Promise<unknown>): void;
  /** Teams sends both `installationUpdate` and `conversationUpdate` on install: handle one install (team or chat) once a minute at most. */
  recentSyncs: Map<string, number>;
}

/** Handles one activity; never throws. */
export async function handleTurn(svc: TurnServices, context: TurnContext, a: InboundActivity): Promise<void> {
  const client = context.turnState.get<ConnectorClient>(svc.adapter.ConnectorClientKey);
  const capturing = captureConversation(svc, a).catch((err: unknown) => {
    // Redis may be down: the person still gets an answer (errors.unavailable) below.
    svc.logger.error({ err, conversation: a.conversation.id }, 'Storing a Teams conversation reference failed');
  });
  // A message or card action does not read the reference it stores, so both go to Redis
  // together (one round trip); an install does, so it waits.
  if (a.type !== 'message' && a.type !== 'invoke') await capturing;
  try {
    switch (a.type) {
      case 'message':
        if (conversationKind(a) !== 'personal' && !isCardSubmit(a) && !mentionsBot(a)) return;
        return await respond(svc, context, a, client);
      case 'invoke':
        if (a.name !== 'adaptiveCard/action') return;
        return await respond(svc, context, a, client);
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
  } finally {
    await capturing;
  }
}

/** Samla was added: the app installed (personal scope, a team, an admin's setup policy), or the bot among `membersAdded`. */
function isInstall(a: InboundActivity): boolean {
  if (a.type === 'installationUpdate') return a.action === 'add' || a.action === 'add-upgrade';
  return a.type === 'conversationUpdate' && (a.membersAdded ?? []).some((m) => m.id === a.recipient.id);
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
  await svc.refs.sawTenant(tenantOf(a), base.at, isInstall(a));
  if (kind === 'channel') {
    const channel = channelOf(a);
    if (channel !== a.conversation.id) await svc.refs.saveConversation({ conversationId: channel, ...base });
    const team = teamOf(a);
    if (team && team !== channel && team !== a.conversation.id) await svc.refs.saveConversation({ conversationId: team, ...base });
  }
}

/**
 * The core's Inbound for a message or card action: who (the cache key is the AAD object id),
 * where, which delivery (the activity id; Teams redelivers with the same one), and the intent.
 */
function inboundOf(svc: TurnServices, client: ConnectorClient, a: InboundActivity, intent: Intent): Inbound {
  const kind = conversationKind(a);
  const rosterConversation = teamOf(a) ?? a.conversation.id;
  return {
    platform: 'teams',
    user: { id: a.from.id, key: identityKey(a.from) },
    ...(a.id ? { eventId: `activity:${a.conversation.id}:${a.id}` } : {}),
    ...(a.locale ? { localeTag: a.locale } : {}),
    place: { conversation: kind === 'groupChat' ? 'group' : kind, channel: channelOf(a), private: kind === 'personal' },
    intent,
    directory: {
      async lookup() {
        const member = await readMember(client, rosterConversation, a.from.id);
        if (!member) return undefined;
        return { emails: candidateEmails(member), key: identityKey({ id: member.id, aadObjectId: member.aadObjectId ?? a.from.aadObjectId }) };
      },
      // The same email from another tenant than the person's municipality's is someone else.
      accepts: (email) => svc.tenants.personInTenant(email, tenantOf(a)?.toLowerCase()),
    },
  };
}

/** What a message or card action is: a card submission (its payload, view and inputs) or typed text. */
function intentOf(svc: TurnServices, a: InboundActivity): Intent | string {
  const data = a.type === 'invoke' ? invokeValueSchema.safeParse(a.value) : undefined;
  if (data && !data.success) return 'not an Action.Execute invoke';
  if (a.type === 'message' && !isCardSubmit(a)) return { kind: 'command', text: commandText(a) };
  const parsed = parseSubmission(data ? (data.data.action.data ?? {}) : a.value);
  if (!parsed.ok) return parsed.reason;
  const { payload, values, view } = parsed.submission;
  return { kind: 'action', payload, values, ...(view ? { view } : {}) };
}

/** Dispatches a message or card action to the core and answers with the outcome. */
async function respond(svc: TurnServices, context: TurnContext, a: InboundActivity, client: ConnectorClient, given?: Intent): Promise<void> {
  const intent = given ?? intentOf(svc, a);
  const fallback = localeFromTag(a.locale) ?? 'nb';
  if (typeof intent === 'string') {
    svc.logger.warn({ reason: intent }, 'A Teams card submission was not understood');
    return deliver(svc, context, a, say(svc.journeys.texts.t(fallback, 'teams.invalid_submission')));
  }
  const { outcome, locale, person } = await svc.dispatcher.dispatch(inboundOf(svc, client, a, intent));
  if (person && conversationKind(a) === 'personal') {
    // The person wrote to Samla here: this is where to reach them, and they are reachable again.
    try {
      const saving = svc.refs.savePerson({
        email: person.email,
        userId: a.from.id,
        ...(a.from.aadObjectId ? { aadObjectId: a.from.aadObjectId } : {}),
        ...(tenantOf(a) ? { tenantId: tenantOf(a) } : {}),
        serviceUrl: a.serviceUrl,
        botId: a.recipient.id,
        conversationId: a.conversation.id,
        at: svc.journeys.now().toISOString(),
      });
      // Both at once: one round trip.
      await Promise.all([saving, svc.store.clearUnreachable(person.networks, person.email)]);
    } catch (err) {
      svc.logger.error({ err, conversation: a.conversation.id }, 'Storing where to reach a Teams user failed');
    }
  }
  const view = intent.kind === 'action' ? intent.view : undefined;
  await deliver(svc, context, a, teamsOutcome(svc, outcome, locale, intent.kind === 'action', view, a.type === 'invoke'));
}

/**
 * The core's outcome as Teams shows it. An answer to a card replaces that card (a form, what was
 * recorded, a choice); an answer to typed text is a new message.
 */
function teamsOutcome(svc: TurnServices, o: CoreOutcome, locale: Locale, fromCard: boolean, view: string | undefined, invoke: boolean): Outcome {
  const texts = { fixErrors: svc.journeys.texts.t(locale, 'teams.fix_errors') };
  switch (o.kind) {
    case 'text':
      return o.replace && fromCard ? replace(textCard(o.text)) : say(o.text);
    case 'linked':
      return say(o.text);
    case 'message': {
      const card = messageCard(o.message, { ...(o.view ? { view: o.view } : {}), texts });
      return o.replace && fromCard ? replace(card) : show(card);
    }
    case 'recorded':
      return replace(messageCard(o.message, { ...(o.view ? { view: o.view } : {}), texts }));
    case 'form': {
      const card = formCard(o.form, { texts, ...(o.errors ? { errors: o.errors } : {}), ...(o.values ? { values: o.values } : {}), ...(fromCard && view ? { view } : {}) });
      return fromCard ? replace(card) : show(card);
    }
    case 'none':
      // An invoke must be answered; a redelivered message needs nothing.
      return invoke ? say(svc.journeys.texts.t(locale, 'errors.already_handled')) : { kind: 'none' };
  }
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
  return { store: svc.store, identities: svc.identities, refs: svc.refs, tenants: svc.tenants, logger: svc.logger, now: svc.journeys.now };
}

function placeOf(a: InboundActivity): TeamPlace {
  return {
    teamId: teamOf(a) ?? a.conversation.id,
    serviceUrl: a.serviceUrl,
    ...(tenantOf(a) ? { tenantId: tenantOf(a)!.toLowerCase() } : {}),
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
    await respond(svc, context, a, client, { kind: 'command', text: 'help' });
    return;
  }
  await deliver(svc, context, a, say(svc.journeys.texts.t(localeFromTag(a.locale) ?? 'nb', 'teams.installed_team')));
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
