/**
 * Fan-out: agenda items that fell due become occurrences, one per recipient, each either to be
 * sent or to be recorded as skipped with a reason. Pure: the facts and the instant are passed in.
 *
 * Filters (people who need no prompt):
 * - a task reminder skips those who answered "done" for that task in that municipality;
 * - a check-in reminder skips those who already checked in;
 * - a status nudge is skipped when the municipality reported status within `status.every`.
 *
 * Prompts that lost their point (sent late, after downtime, or still queued when it passed):
 * - a task, check-in or check-in reminder once its gathering has started;
 * - a task reminder once the task is due;
 * - a reflection prompt more than REFLECTION_LATE_DAYS late; a status nudge more than
 *   `status.every` late; a digest more than a week late;
 * - of several status nudges to one municipality, or several digests, due in the same pass,
 *   all but the newest (`superseded`): after a week of downtime the organiser gets one digest.
 */
import type { AgendaItem, Recipient } from '../agenda.ts';
import { addLocalDays, addOffset } from '../calendar.ts';
import type { CheckinAnswer, Locale, NetworkDefinition, Person, Platform, TaskCompletion } from '../model.ts';
import { derivePeople } from '../people.ts';
import { gatheringStart } from '../schedule.ts';
import { occurrenceId, type Occurrence, type SkipReason } from './occurrence.ts';
import type { ClaimRequest } from './ports.ts';

/** A reflection prompt later than this is dropped rather than sent. */
export const REFLECTION_LATE_DAYS = 7;
/** A digest later than this is dropped (the next one is due by then). */
export const DIGEST_LATE_DAYS = 7;

/** What the store knew when the pass ran. */
export interface FanOutFacts {
  /** The pass's instant (injected clock). */
  now: Date;
  /** Task answers by gathering id; needed for gatherings with a task reminder in the pass. */
  taskCompletions: ReadonlyMap<string, readonly TaskCompletion[]>;
  /** Check-in answers by gathering id; needed for gatherings with a check-in reminder in the pass. */
  checkins: ReadonlyMap<string, readonly CheckinAnswer[]>;
  /** The last status report per municipality. */
  lastStatus: Readonly<Record<string, Date>>;
}

/** Who a recipient is on the platforms: their platform and language, from the network file. */
export interface Reach {
  platform: Platform;
  locale: Locale;
}

/** Platform and language per lower-case email, as the network file gives them. */
export function reachIndex(def: NetworkDefinition): Map<string, Reach> {
  const index = new Map<string, Reach>();
  const platformOf = new Map(def.municipalities.map((m) => [m.id, m.platform] as const));
  for (const p of derivePeople(def)) index.set(p.email, reachOf(def, p, platformOf));
  return index;
}

function reachOf(def: NetworkDefinition, p: Person, platformOf: Map<string, Platform>): Reach {
  const first = p.memberships[0]?.municipality;
  return {
    platform: p.platform ?? (first ? platformOf.get(first) : undefined) ?? 'slack',
    locale: p.locale ?? def.locale,
  };
}

/**
 * The occurrences of `items` (all due at `facts.now`), each to send or to skip with a reason,
 * in item order and then recipient order.
 */
export function fanOut(def: NetworkDefinition, items: readonly AgendaItem[], facts: FanOutFacts, reach = reachIndex(def)): ClaimRequest[] {
  const superseded = supersededItems(items);
  const out: ClaimRequest[] = [];
  for (const item of items) {
    const deadline = deadlineOf(def, item);
    for (const r of item.recipients) {
      const occurrence = toOccurrence(def, item, r, reach, deadline);
      const skip = superseded.has(item.id) ? 'superseded' : skipReason(def, item, r, occurrence, facts);
      out.push(skip ? { occurrence, skip } : { occurrence });
    }
  }
  return out;
}

function toOccurrence(
  def: NetworkDefinition,
  item: AgendaItem,
  r: Recipient,
  reach: Map<string, Reach>,
  deadline: { at: Date; reason: SkipReason } | undefined,
): Occurrence {
  const who = reach.get(r.email) ?? { platform: 'slack', locale: def.locale };
  const o: Occurrence = {
    id: occurrenceId(item.id, r.municipality, r.email),
    network: def.id,
    item: item.id,
    kind: item.kind,
    email: r.email,
    name: r.name,
    platform: who.platform,
    locale: who.locale,
    at: item.at.toISOString(),
  };
  if (item.gathering !== undefined) o.gathering = item.gathering;
  if (item.task !== undefined) o.task = item.task;
  const municipality = r.municipality ?? item.municipality;
  if (municipality !== undefined) o.municipality = municipality;
  if (deadline) {
    o.deadline = deadline.at.toISOString();
    o.deadlineReason = deadline.reason;
  }
  return o;
}

/** After this instant the item has lost its point (see the module comment). */
export function deadlineOf(def: NetworkDefinition, item: AgendaItem): { at: Date; reason: SkipReason } | undefined {
  const gathering = item.gathering ? def.gatherings.find((g) => g.id === item.gathering) : undefined;
  const start = gathering ? gatheringStart(def, gathering) : undefined;
  switch (item.kind) {
    case 'task':
    case 'checkin':
    case 'checkin_reminder':
      return start ? { at: start, reason: 'gathering_started' } : undefined;
    case 'task_reminder':
      if (item.due && (!start || item.due <= start)) return { at: item.due, reason: 'past_due' };
      return start ? { at: start, reason: 'gathering_started' } : undefined;
    case 'reflection':
      return { at: addLocalDays(item.at, REFLECTION_LATE_DAYS, def.timezone), reason: 'too_late' };
    case 'status_nudge':
      return { at: addOffset(item.at, { ...def.status.every, sign: 1 }, def.timezone), reason: 'too_late' };
    case 'digest':
      return { at: addLocalDays(item.at, DIGEST_LATE_DAYS, def.timezone), reason: 'too_late' };
    case 'nudge':
      return undefined; // not an agenda item: nudges are planned by ./nudges.ts with their own deadline
  }
}

/** Status nudges (per municipality) and digests that a newer one in the same pass replaces. */
function supersededItems(items: readonly AgendaItem[]): Set<string> {
  const newest = new Map<string, AgendaItem>();
  for (const item of items) {
    const group = item.kind === 'digest' ? 'digest' : item.kind === 'status_nudge' ? `status_nudge:${item.municipality}` : undefined;
    if (!group) continue;
    const known = newest.get(group);
    if (!known || item.at >= known.at) newest.set(group, item);
  }
  const keep = new Set([...newest.values()].map((i) => i.id));
  return new Set(items.filter((i) => (i.kind === 'digest' || i.kind === 'status_nudge') && !keep.has(i.id)).map((i) => i.id));
}

function skipReason(def: NetworkDefinition, item: AgendaItem, r: Recipient, o: Occurrence, facts: FanOutFacts): SkipReason | undefined {
  if (o.deadline && facts.now.getTime() >= Date.parse(o.deadline)) return o.deadlineReason;
  const municipality = o.municipality;
  switch (item.kind) {
    case 'task_reminder': {
      const answers = facts.taskCompletions.get(item.gathering ?? '') ?? [];
      const done = answers.some((a) => a.task === item.task && a.municipality === municipality && a.email === r.email && a.answer === 'done');
      return done ? 'done' : undefined;
    }
    case 'checkin_reminder': {
      const answers = facts.checkins.get(item.gathering ?? '') ?? [];
      return answers.some((a) => a.municipality === municipality && a.email === r.email) ? 'answered' : undefined;
    }
    case 'status_nudge': {
      const last = municipality ? facts.lastStatus[municipality] : undefined;
      return last && statusIsRecent(def, last, item.at) ? 'status_recent' : undefined;
    }
    default:
      return undefined;
  }
}

/** True when a status at `last` is less than `status.every` before `at`. */
export function statusIsRecent(def: NetworkDefinition, last: Date, at: Date): boolean {
  return addOffset(last, { ...def.status.every, sign: 1 }, def.timezone) > at;
}
