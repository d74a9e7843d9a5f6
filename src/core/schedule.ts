/**
 * Schedule facts: when a gathering starts and ends, where an offset in the network file puts a
 * prompt, when a check-in closes, and who is asked what. Written once here and used by the
 * agenda (who gets which prompt when), the journeys (who may answer, and until when), the
 * lagging signals and digest, the dashboard and the CLI, so that what Samla sends and what it
 * accepts cannot drift apart.
 *
 * Rules, all in the network's time zone:
 * - An offset counts from the gathering's `starts` when negative ("-21d": three weeks before it
 *   begins) and from its `ends` otherwise ("+7d": a week after it is over).
 * - Days and weeks keep the wall-clock time across daylight-saving switches; hours and minutes
 *   are exact elapsed time (see `applyOffset` in calendar.ts).
 * - These are *planned* times; the agenda then moves each prompt out of quiet time.
 * - A check-in can be answered (and changed) until the gathering starts.
 * - Asked to check in: project leaders, participants (`deltaker`) and everyone with a task for
 *   the gathering. A task goes to everyone holding one of the roles in its `for`. Reflection
 *   prompts go to the reflection groups.
 *
 * Pure: no I/O and no clock; the instant to judge by is always passed in.
 */
import { applyOffset, localToInstant } from './calendar.ts';
import type { Gathering, MemberRole, NetworkDefinition, Offset, Task } from './model.ts';

/** What the schedule needs of a network: its time zone (a whole `NetworkDefinition` will do). */
export type Zoned = Pick<NetworkDefinition, 'timezone'>;

/** The instant a gathering starts. */
export function gatheringStart(def: Zoned, g: Pick<Gathering, 'starts'>): Date {
  return localToInstant(g.starts, def.timezone);
}

/** The instant a gathering ends. */
export function gatheringEnd(def: Zoned, g: Pick<Gathering, 'ends'>): Date {
  return localToInstant(g.ends, def.timezone);
}

/** Where `offset` puts a prompt: counted from the gathering's start when negative, from its end otherwise. */
export function offsetTime(def: Zoned, g: Pick<Gathering, 'starts' | 'ends'>, offset: Offset): Date {
  return applyOffset(offset.sign < 0 ? g.starts : g.ends, offset, def.timezone);
}

export interface PlannedTask {
  task: Task;
  /** When the task is planned to be sent. */
  send: Date;
  /** When it is due. */
  due: Date;
}

/** A gathering's instants and the planned (not yet moved out of quiet time) times of its prompts. */
export interface GatheringTimes {
  start: Date;
  end: Date;
  tasks: PlannedTask[];
  checkin?: Date;
  reflection?: Date;
}

/** Every planned time of a gathering, in the order of its tasks in the file. */
export function plannedTimes(def: Zoned, g: Gathering): GatheringTimes {
  const times: GatheringTimes = {
    start: gatheringStart(def, g),
    end: gatheringEnd(def, g),
    tasks: g.tasks.map((task) => ({ task, send: offsetTime(def, g, task.send), due: offsetTime(def, g, task.due) })),
  };
  if (g.checkin) times.checkin = offsetTime(def, g, g.checkin.send);
  if (g.reflection) times.reflection = offsetTime(def, g, g.reflection.send);
  return times;
}

/* ---------- the check-in window ---------- */

/** The instant after which a gathering's check-in answers are no longer accepted: its start. */
export function checkinClosesAt(def: Zoned, g: Pick<Gathering, 'starts'>): Date {
  return gatheringStart(def, g);
}

/** Whether a check-in answer given at `at` is accepted: strictly before the gathering starts. */
export function isCheckinOpen(def: Zoned, g: Pick<Gathering, 'starts'>, at: Date): boolean {
  return at.getTime() < checkinClosesAt(def, g).getTime();
}

/* ---------- who is asked ---------- */

/** Roles asked to check in to every gathering, whether or not they have a task for it. */
export const CHECKIN_ROLES: readonly MemberRole[] = ['prosjektleder', 'deltaker'];

/** Roles asked to write a reflection note after a gathering. */
export const REFLECTION_ROLES: readonly MemberRole[] = ['refleksjonsgruppe'];

/** The roles asked to check in to `g`: {@link CHECKIN_ROLES} and every role with a task for it, each once. */
export function checkinRoles(g: Pick<Gathering, 'tasks'>): MemberRole[] {
  return [...new Set<MemberRole>([...CHECKIN_ROLES, ...g.tasks.flatMap((t) => t.for)])];
}

/**
 * Whether someone holding `roles` is asked to check in to `g` — the agenda's check-in
 * recipients, and those whose answer the check-in journey accepts.
 */
export function isAskedToCheckIn(g: Pick<Gathering, 'tasks'>, roles: readonly string[]): boolean {
  return checkinRoles(g).some((r) => roles.includes(r));
}

/** Whether a task is sent to someone holding `roles` (any role in its `for`). */
export function isTaskFor(task: Pick<Task, 'for'>, roles: readonly string[]): boolean {
  return task.for.some((r) => roles.includes(r));
}

/** Whether someone holding `roles` is asked to write reflection notes. */
export function isAskedToReflect(roles: readonly string[]): boolean {
  return REFLECTION_ROLES.some((r) => roles.includes(r));
}

/**
 * The tasks of `g` whose planned send time is at or before `at` and that go to someone holding
 * one of `roles` (one person's roles, or every role held in a municipality), in file order.
 */
export function tasksSentBy(def: Zoned, g: Gathering, at: Date, roles: readonly string[]): Task[] {
  return g.tasks.filter((t) => isTaskFor(t, roles) && offsetTime(def, g, t.send).getTime() <= at.getTime());
}

/* ---------- gatherings in time ---------- */

/** The gatherings ordered by start; gatherings starting together keep their file order. */
export function gatheringsByStart(def: Pick<NetworkDefinition, 'timezone' | 'gatherings'>): Gathering[] {
  const starts = new Map(def.gatherings.map((g) => [g, gatheringStart(def, g).getTime()]));
  return [...def.gatherings].sort((a, b) => starts.get(a)! - starts.get(b)!);
}

/** The first gathering that starts after `at` (one starting exactly at `at` has begun). */
export function nextGathering(def: Pick<NetworkDefinition, 'timezone' | 'gatherings'>, at: Date): Gathering | undefined {
  return gatheringsByStart(def).find((g) => gatheringStart(def, g).getTime() > at.getTime());
}

/** The last gathering that has ended by `at` (ending exactly at `at` counts), and the next that has not started. */
export function gatheringsAround(def: Pick<NetworkDefinition, 'timezone' | 'gatherings'>, at: Date): { last?: Gathering; next?: Gathering } {
  const sorted = gatheringsByStart(def);
  return {
    last: sorted.filter((g) => gatheringEnd(def, g).getTime() <= at.getTime()).at(-1),
    next: sorted.find((g) => gatheringStart(def, g).getTime() > at.getTime()),
  };
}

/** When a network's gatherings begin and end: the earliest start, the latest start and the latest end. */
export interface GatheringSpan {
  firstStart: Date;
  lastStart: Date;
  lastEnd: Date;
}

/** The span of a network's gatherings; undefined for a network without any. */
export function gatheringSpan(def: Pick<NetworkDefinition, 'timezone' | 'gatherings'>): GatheringSpan | undefined {
  if (def.gatherings.length === 0) return undefined;
  const starts = def.gatherings.map((g) => gatheringStart(def, g).getTime());
  const ends = def.gatherings.map((g) => gatheringEnd(def, g).getTime());
  return { firstStart: new Date(Math.min(...starts)), lastStart: new Date(Math.max(...starts)), lastEnd: new Date(Math.max(...ends)) };
}
