/**
 * The interfaces the scheduler and the delivery worker need. The Redis adapter
 * (adapters/redis/scheduleStore.ts) and the BullMQ queue (src/app/deliveryQueue.ts) implement
 * them; the core never imports either.
 */
import type { CheckinAnswer, TaskCompletion } from '../model.ts';
import type { SentRef } from '../ports.ts';
import type { Occurrence, OccurrenceState, SkipReason } from './occurrence.ts';

/** The time, injected: the scheduler decides what is due by this clock, never by `new Date()`. */
export type Clock = () => Date;

/** What the scheduler logs through; pino's Logger fits. */
export interface SchedulerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything (for tests and one-shot commands that print their own report). */
export const silentLogger: SchedulerLogger = { info() {}, warn() {}, error() {} };

/** The scheduler's memory of one network. */
export interface ScheduleState {
  /** Everything the agenda put before this instant has been fanned out (exclusive bound). */
  watermark?: Date;
  /** The network version (`NetworkSummary.version`) the last complete pass planned with. */
  version?: number;
  /** When the last complete pass ran (by the injected clock). */
  lastTick?: Date;
}

/** One occurrence to claim: to be sent (`skip` absent) or recorded as skipped. */
export interface ClaimRequest {
  occurrence: Occurrence;
  skip?: SkipReason;
}

/** `new` when this claim created the occurrence's record; otherwise the state it already had. */
export type ClaimResult = 'new' | OccurrenceState;

/** What is stored about one occurrence. */
export interface OccurrenceRecord {
  id: string;
  state: OccurrenceState;
  /** The skip reason, or the failure's message. */
  reason?: string;
  /** Where the message landed, once sent. */
  sentRef?: SentRef;
  /** The last delivery error, also while retrying. */
  error?: string;
  attempts?: number;
  /** ISO instant of the last change (injected clock). */
  at?: string;
}

/** How many occurrences of one agenda item are in each state, and why skipped ones were. */
export interface ItemDeliveryCounts {
  queued: number;
  sending: number;
  sent: number;
  skipped: number;
  failed: number;
  skippedBy: Partial<Record<SkipReason, number>>;
}

/**
 * Occurrences and the scheduler's watermark, in the store. Every write is atomic per
 * occurrence and safe to repeat; several processes may call it concurrently.
 */
export interface ScheduleStore {
  state(network: string): Promise<ScheduleState>;
  /**
   * Records a complete pass up to `watermark` (exclusive) with the network `version` it planned
   * with. Never moves the watermark backwards: a pass that ends before the stored watermark (a
   * slow pass finishing after a later one, an operator's `tick --at` in the past) changes
   * nothing, not even the version.
   */
  advance(network: string, watermark: Date, version: number, now: Date): Promise<void>;
  /**
   * Claims occurrences atomically, one script call for the batch: each one without a record gets
   * state `queued` (or `skipped` with its reason, plus an event when the prompt lost its point);
   * existing records are left alone and their state is returned.
   */
  claim(network: string, requests: ClaimRequest[], now: Date): Promise<ClaimResult[]>;
  /**
   * A delivery worker starts on an occurrence: `queued`, `failed` or `sending` (a retry) become
   * `sending` and 'ok' is returned; a terminal state (`sent`, `skipped`) is returned unchanged,
   * and the worker must not send.
   */
  begin(o: Occurrence, now: Date): Promise<'ok' | OccurrenceState>;
  /** `sending` → `sent`, with the SentRef and a `prompt.sent` event. False when it was not `sending`. */
  markSent(o: Occurrence, ref: SentRef, attempts: number, now: Date): Promise<boolean>;
  /** → `skipped` (from `queued` or `sending`), with an event when the prompt lost its point. */
  markSkipped(o: Occurrence, reason: SkipReason, now: Date): Promise<void>;
  /** Notes a failed attempt that will be retried (state stays `sending`). */
  noteAttempt(o: Occurrence, error: string, attempts: number, now: Date): Promise<void>;
  /** `sending` → `failed`, with the reason and a `prompt.failed` event. */
  markFailed(o: Occurrence, error: string, attempts: number, now: Date): Promise<void>;
  /** `failed` → `queued` (an operator's retry). False when it was not `failed`. */
  requeue(network: string, occurrence: string, now: Date): Promise<boolean>;
  get(network: string, occurrence: string): Promise<OccurrenceRecord | undefined>;
  /** Per agenda item id: occurrences by state. */
  counts(network: string): Promise<Map<string, ItemDeliveryCounts>>;
}

/** Single answers, read at delivery time to drop reminders that are no longer needed. */
export interface DeliveryFacts {
  taskAnswer(network: string, gathering: string, task: string, municipality: string, email: string): Promise<TaskCompletion | undefined>;
  checkinAnswer(network: string, gathering: string, municipality: string, email: string): Promise<CheckinAnswer | undefined>;
}

/** Puts occurrences on the delivery queue; adding one twice is a no-op (the job id is its id). */
export interface DeliveryQueue {
  enqueue(occurrences: Occurrence[]): Promise<void>;
}
