/**
 * An occurrence is one prompt to one person: an agenda item (which already names the network,
 * the kind, the gathering and task) fanned out to one recipient in one municipality. Its id is
 * deterministic, `<agenda item id>:<municipality or ->:<email>`, and stable across re-imports
 * and moved gatherings (agenda item ids do not contain times, except the recurring status nudges
 * and digests, whose ids carry the local date they were planned for). The id is what makes
 * delivery exactly-once: claims in Redis and BullMQ job ids are both derived from it.
 *
 * A steering-group nudge (kind `nudge`) is no agenda item: its "item" is the nudge's own id
 * (`<network>:nudge:<municipality>:<level>:<ISO week>`, src/core/lagging/nudges.ts), and a post in
 * the steering channel has the recipient `#steering` and the channel in `channel`.
 */
import type { PromptKind } from '../agenda.ts';
import type { NudgeLevel } from '../followUp.ts';
import type { Locale, Platform } from '../model.ts';

/**
 * Where an occurrence is in its life:
 * - `queued`: claimed by a scheduler pass and (being) put on the delivery queue;
 * - `sending`: a delivery worker has started on it;
 * - `sent`: the platform accepted it (terminal; the SentRef is kept);
 * - `skipped`: it was not sent, for a reason (terminal);
 * - `failed`: delivery gave up (permanent error or retries exhausted); `samla deliveries retry`
 *   puts it back to `queued`.
 */
export const OCCURRENCE_STATES = ['queued', 'sending', 'sent', 'skipped', 'failed'] as const;
export type OccurrenceState = (typeof OCCURRENCE_STATES)[number];

/**
 * Why an occurrence was not sent.
 * - `gathering_started`: a task, check-in or reminder whose gathering had begun (lost its point);
 * - `past_due`: a task reminder after the task's due time;
 * - `too_late`: a reflection prompt, status nudge or digest that is more than its period late;
 * - `superseded`: an older status nudge or digest when a newer one is due in the same pass;
 * - `done`: a task reminder to someone who answered "done";
 * - `answered`: a check-in reminder to someone who already checked in;
 * - `status_recent`: a status nudge although the municipality reported status recently;
 * - `resolved`: a steering-group nudge whose signals were all resolved before it went out;
 * - `gone`: the network, gathering, task or person is no longer in the network file.
 */
export const SKIP_REASONS = [
  'gathering_started',
  'past_due',
  'too_late',
  'superseded',
  'done',
  'answered',
  'status_recent',
  'resolved',
  'gone',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Skip reasons that mean the prompt lost its point (logged and written to the event log). */
export const LOST_POINT_REASONS: ReadonlySet<SkipReason> = new Set(['gathering_started', 'past_due', 'too_late', 'superseded', 'gone']);

/** One prompt to one person; also the data of its delivery job (plain JSON). */
export interface Occurrence {
  /** `<agenda item id>:<municipality or ->:<email>`. */
  id: string;
  network: string;
  /** The agenda item id. */
  item: string;
  kind: PromptKind;
  gathering?: string;
  task?: string;
  municipality?: string;
  /** Lower-case email of the recipient. */
  email: string;
  name: string;
  /** The platform the recipient is reached on (decides the delivery queue). */
  platform: Platform;
  locale: Locale;
  /** When the agenda sends it (ISO instant). */
  at: string;
  /**
   * After this instant (ISO) the prompt has lost its point and is skipped instead of sent late:
   * the gathering's start for tasks and check-ins, the due time for task reminders.
   */
  deadline?: string;
  /** Why the deadline exists, used as the skip reason when it has passed. */
  deadlineReason?: SkipReason;
  /**
   * For a steering-group nudge posted in a channel: the Slack or Teams channel id (as the
   * platform spells it). `email` is then `#<channel>` and names no person.
   */
  channel?: string;
  /** For a nudge: the step of the escalation ladder. */
  level?: NudgeLevel;
}

/** The deterministic occurrence id of an agenda item for one recipient. */
export function occurrenceId(itemId: string, municipality: string | undefined, email: string): string {
  return `${itemId}:${municipality ?? '-'}:${email.trim().toLowerCase()}`;
}

/**
 * The BullMQ job id of an occurrence. BullMQ refuses custom ids with ":" (and integer-like ids),
 * so ":" and "%" are percent-encoded: reversible, collision-free and still readable.
 */
export function jobIdOf(occurrence: string): string {
  return `occ~${occurrence.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/** The occurrence id of a job id made by `jobIdOf` (undefined for other ids). */
export function occurrenceOfJobId(jobId: string): string | undefined {
  if (!jobId.startsWith('occ~')) return undefined;
  return jobId.slice(4).replace(/%3A/g, ':').replace(/%25/g, '%');
}

/** The conversation an occurrence goes to, for per-conversation pacing: "person:<email>" or "channel:<id>". */
export function addressOf(o: Pick<Occurrence, 'email' | 'channel'>): string {
  return o.channel ? `channel:${o.channel}` : `person:${o.email}`;
}
