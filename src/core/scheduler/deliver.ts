/**
 * Delivering one occurrence, the platform-neutral part: the delivery worker (src/app) calls
 * `prepareDelivery`, sends the draft through the recipient's ChatPlatform, then `recordSent`.
 *
 * `prepareDelivery` first marks the occurrence `sending`; one that is already `sent` or
 * `skipped` is not sent again (a duplicated job, or a pass that re-enqueued it). Then it checks,
 * as of the injected clock, that the prompt still has a point, because a job may wait in the
 * queue (retries, rate limits, an outage) past its deadline: the same rules as the fan-out,
 * plus "answered since it was queued" for reminders and "gone from the network file". Only then
 * does it build the message, in the recipient's language and with their current answers, from
 * the journeys (taskMessage, checkinMessage, reflectionMessage), the scheduler's status nudge,
 * or the lagging rules: the organisers' digest (src/core/lagging/digest.ts) and the steering-group
 * nudges (src/core/lagging/nudges.ts), both computed from the records as they are at delivery.
 *
 * What a sent message leaves behind (`SentEffects`), written by `recordSent` once the platform
 * accepted it: a digest's snapshot, so next week's digest can say what is new and what was
 * resolved; a nudge in the municipality's nudge history, so the ladder climbs.
 */
import type { MessageDraft } from '../drafts.ts';
import type { JourneyContext } from '../journeys/context.ts';
import { digestMessage, type StoredDigestSnapshot } from '../lagging/digest.ts';
import { STEERING_SIGNALS, nudgeMessage, type NudgeRecord } from '../lagging/nudges.ts';
import { currentDigest, loadMunicipalityRecords } from '../lagging/records.ts';
import { signalsFor } from '../lagging/signals.ts';
import { checkinMessage } from '../journeys/checkin.ts';
import { reflectionMessage } from '../journeys/reflection.ts';
import { findTask, taskMessage } from '../journeys/tasks.ts';
import type { SentRef } from '../ports.ts';
import { statusIsRecent } from './fanOut.ts';
import type { CachedNetwork, NetworkCache } from './networkCache.ts';
import type { Occurrence, OccurrenceState, SkipReason } from './occurrence.ts';
import type { DeliveryFacts, ScheduleStore } from './ports.ts';
import { statusNudgeMessage } from './statusNudge.ts';

export interface DeliveryContext {
  /** The store, the texts and the injected clock (`now`). */
  journeys: JourneyContext;
  schedule: ScheduleStore;
  facts: DeliveryFacts;
  networks: NetworkCache;
}

/** What a message leaves behind once sent (see the module comment). */
export interface SentEffects {
  digestSnapshot?: StoredDigestSnapshot;
  nudge?: NudgeRecord;
}

type Send = { kind: 'send'; draft: MessageDraft; effects?: SentEffects };

export type Prepared = Send | { kind: 'skipped'; reason: SkipReason } | { kind: 'finished'; state: OccurrenceState };

/** Decides whether to send and builds the message; see the module comment. */
export async function prepareDelivery(ctx: DeliveryContext, o: Occurrence): Promise<Prepared> {
  const now = ctx.journeys.now();
  const begun = await ctx.schedule.begin(o, now);
  if (begun !== 'ok') return { kind: 'finished', state: begun };
  const outcome = await decide(ctx, o, now);
  if (outcome.kind === 'skipped') await ctx.schedule.markSkipped(o, outcome.reason, now);
  return outcome;
}

/**
 * Records a message the platform accepted: first what it leaves behind (`effects`, from
 * `prepareDelivery`), then the state `sent`.
 */
export async function recordSent(ctx: DeliveryContext, o: Occurrence, ref: SentRef, attempts: number, effects: SentEffects = {}): Promise<void> {
  const store = ctx.journeys.store;
  if (effects.digestSnapshot) await store.saveDigestSnapshot(o.network, effects.digestSnapshot);
  if (effects.nudge) await store.recordNudge(o.network, effects.nudge);
  await ctx.schedule.markSent(o, ref, attempts, ctx.journeys.now());
}

async function decide(ctx: DeliveryContext, o: Occurrence, now: Date): Promise<Send | { kind: 'skipped'; reason: SkipReason }> {
  if (o.deadline && now.getTime() >= Date.parse(o.deadline)) return { kind: 'skipped', reason: o.deadlineReason ?? 'too_late' };
  const network = await ctx.networks.get(o.network);
  if (!network || !stillInNetwork(network, o)) return { kind: 'skipped', reason: 'gone' };
  const rendered = await render(ctx, network, o, now);
  if ('skip' in rendered) return { kind: 'skipped', reason: rendered.skip };
  return 'draft' in rendered ? { kind: 'send', ...rendered } : { kind: 'send', draft: rendered };
}

/**
 * The recipient is still in the file: in the occurrence's municipality, or an organiser for a
 * digest or an organiser's nudge; for a nudge to a channel, the municipality is still there.
 */
function stillInNetwork(network: CachedNetwork, o: Occurrence): boolean {
  if (o.kind === 'nudge' && !network.def.municipalities.some((m) => m.id === o.municipality)) return false;
  if (o.kind === 'nudge' && o.channel) return true;
  const person = network.people.get(o.email);
  if (!person) return false;
  if (o.kind === 'digest' || (o.kind === 'nudge' && o.level === 'organiser')) return person.organiser;
  return o.municipality === undefined || person.memberships.some((m) => m.municipality === o.municipality);
}

async function render(ctx: DeliveryContext, network: CachedNetwork, o: Occurrence, now: Date): Promise<MessageDraft | { draft: MessageDraft; effects: SentEffects } | { skip: SkipReason }> {
  const { def } = network;
  const locale = network.people.get(o.email)?.locale ?? o.locale;
  const j = ctx.journeys;
  const gathering = def.gatherings.find((g) => g.id === o.gathering);
  const municipality = o.municipality ?? '';
  switch (o.kind) {
    case 'task':
    case 'task_reminder': {
      const found = findTask(def, o.gathering, o.task);
      if (!found) return { skip: 'gone' };
      const answer = await ctx.facts.taskAnswer(def.id, found.gathering.id, found.task.id, municipality, o.email);
      if (o.kind === 'task_reminder' && answer?.answer === 'done') return { skip: 'done' };
      return taskMessage(j, def, found.gathering, found.task, { name: o.name, municipality, locale }, answer, o.kind === 'task_reminder');
    }
    case 'checkin':
    case 'checkin_reminder': {
      if (!gathering) return { skip: 'gone' };
      const answer = await ctx.facts.checkinAnswer(def.id, gathering.id, municipality, o.email);
      if (o.kind === 'checkin_reminder' && answer) return { skip: 'answered' };
      return checkinMessage(j, def, gathering, { municipality, locale }, answer, o.kind === 'checkin_reminder');
    }
    case 'reflection':
      if (!gathering) return { skip: 'gone' };
      return reflectionMessage(j, def, gathering, { name: o.name, municipality, locale });
    case 'status_nudge': {
      const m = def.municipalities.find((x) => x.id === o.municipality);
      if (!m) return { skip: 'gone' };
      const [last] = await j.store.listStatus(def.id, m.id, 1);
      const lastAt = last ? new Date(last.at) : undefined;
      if (lastAt && statusIsRecent(def, lastAt, now)) return { skip: 'status_recent' };
      return statusNudgeMessage(j, def, m, { name: o.name, locale }, lastAt, now);
    }
    case 'digest': {
      // Compared with the last digest planned before this one, whichever organiser's went first.
      const current = await currentDigest(j.store, def, now, { before: new Date(o.at) });
      return {
        draft: digestMessage(j.texts, locale, def, current.digest),
        effects: { digestSnapshot: { key: o.item, at: o.at, snapshot: current.snapshot } },
      };
    }
    case 'nudge': {
      const m = def.municipalities.find((x) => x.id === o.municipality);
      if (!m || !o.level) return { skip: 'gone' };
      const records = await loadMunicipalityRecords(j.store, def, m);
      const open = signalsFor(def, m, records, now).filter((s) => STEERING_SIGNALS.includes(s.kind));
      if (open.length === 0) return { skip: 'resolved' };
      const draft = nudgeMessage(j.texts, locale, def, { municipality: m, level: o.level, signals: open, recipients: [], ...(o.channel ? { channel: o.channel } : {}) });
      const nudge: NudgeRecord = { id: o.item, municipality: m.id, level: o.level, at: now.toISOString(), signals: open.map((s) => s.kind), ...(o.channel ? { channel: o.channel } : {}) };
      return { draft, effects: { nudge } };
    }
  }
}
