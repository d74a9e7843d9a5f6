/**
 * The delivery worker: a BullMQ Worker per platform queue that turns an occurrence into a message
 * and sends it through that platform's ChatPlatform.
 *
 * Per job:
 * 1. `prepareDelivery` (core) marks the occurrence `sending`, refuses one already `sent` or
 *    `skipped`, skips one that lost its point or is no longer needed, and builds the message;
 * 2. per-conversation pacing (./deliveryPacing.ts): if the conversation got a message less than
 *    its interval ago, the job is delayed until it may go (BullMQ `DelayedError`, no try used);
 * 3. the platform sends it: a DM to the person, or for a steering-group nudge with a `channel`, a
 *    post in that channel; what the message leaves behind (a digest's snapshot, a nudge in the
 *    municipality's history) and the SentRef are recorded, with state `sent` and a `prompt.sent`
 *    event. A person a message reached no longer counts as unreachable in that network.
 *
 * Failures, told apart by the adapters' DeliveryError:
 * - permanent (user not found, channel archived…): state `failed` with the reason, and
 *   `UnrecoverableError` so BullMQ does not retry; the job stays in the failed list; when the
 *   failure is the person's (`DeliveryError.unreachable`: no such user, a deactivated account)
 *   they are recorded as unreachable in each of their networks, for the organisers' digest;
 * - rate limited (`retryAfterMs`, a 429): the platform's whole queue pauses for that long
 *   (`Queue.rateLimit`, shared by every process) and the job goes back to waiting without using
 *   up a try (`Worker.RateLimitError`);
 * - anything else (5xx, network): retried with jittered exponential backoff (./deliveryBackoff.ts)
 *   until the tries are used up; the last failure sets state `failed`.
 *
 * Platform-wide rate: BullMQ's `limiter` on the queue (SAMLA_SLACK_RATE / SAMLA_TEAMS_RATE
 * messages per second, all processes together).
 *
 * Sending is at-least-once in one narrow case: if a process dies after the platform accepted a
 * message and before `sent` is recorded, BullMQ's stalled-job check gives the job to another
 * worker, which sends it again. Everything else (duplicate jobs, concurrent passes, restarts)
 * is exactly once.
 */
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Keys } from '../../adapters/redis/keys.ts';
import type { Platform } from '../core/model.ts';
import { DeliveryError, type ChatPlatform, type SentRef } from '../core/ports.ts';
import { isDeliverableEmail } from '../core/networkFileSchema.ts';
import { prepareDelivery, recordSent, type DeliveryContext } from '../core/scheduler/deliver.ts';
import { addressOf, type Occurrence } from '../core/scheduler/occurrence.ts';
import type { SchedulerLogger } from '../core/scheduler/ports.ts';
import { deliveryBackoff } from './deliveryBackoff.ts';
import type { Pacer } from './deliveryPacing.ts';
import { queueName, type DeliveryJob, type DeliveryQueues } from './deliveryQueue.ts';
import type { SchedulerConfig } from './schedulerConfig.ts';

/** What a finished job returns (kept with completed jobs for inspection). */
export type DeliveryResult = { outcome: 'sent'; ref: SentRef } | { outcome: 'skipped'; reason: string } | { outcome: 'already'; state: string };

export interface DeliveryWorkerOptions {
  /** ioredis connection with `maxRetriesPerRequest: null`; BullMQ duplicates it for blocking reads. */
  connection: RedisClient;
  keys: Keys;
  platform: Platform;
  chat: ChatPlatform;
  delivery: DeliveryContext;
  queues: DeliveryQueues;
  pacer: Pacer;
  config: SchedulerConfig;
  logger: SchedulerLogger;
}

/** Starts a worker on one platform's queue; close it with `worker.close()`. */
export function startDeliveryWorker(opts: DeliveryWorkerOptions): Worker<Occurrence, DeliveryResult> {
  const { platform, config } = opts;
  const limits = config.limits[platform];
  const worker = new Worker<Occurrence, DeliveryResult>(queueName(platform), (job, token) => deliverJob(opts, job, token), {
    connection: opts.connection,
    prefix: opts.keys.bullPrefix(),
    concurrency: config.concurrency,
    limiter: limiterFor(limits.ratePerSecond),
    settings: { backoffStrategy: deliveryBackoff(config.backoffMs, config.maxBackoffMs) },
    maxStalledCount: 2,
  });
  worker.on('error', (err) => opts.logger.error({ err: errorText(err), platform }, 'delivery worker error'));
  return worker;
}

/**
 * BullMQ's limiter for a platform that allows `ratePerSecond` messages in any sliding second.
 * BullMQ counts in fixed windows (at most `max` jobs per `duration` ms), and a sliding second can
 * overlap ceil(1000 / duration) + 1 windows, so a naive { max: rate, duration: 1000 } can send
 * twice the rate across a window boundary and get 429s. This picks the window (20 ms or
 * longer) with the highest rate that can never exceed the platform's: 250/s becomes 6 per 25 ms
 * (240/s), 30/s becomes 1 per 35 ms (28.6/s).
 */
export function limiterFor(ratePerSecond: number): { max: number; duration: number } {
  let best: { max: number; duration: number } | undefined;
  for (let max = 1; max <= Math.floor(ratePerSecond / 2); max++) {
    const windows = Math.floor(ratePerSecond / max) - 1; // ceil(1000 / duration) may be at most this
    if (windows < 1) break;
    const duration = Math.max(20, Math.ceil(1000 / windows));
    if (!best || max / duration > best.max / best.duration) best = { max, duration };
  }
  return best ?? { max: 1, duration: Math.ceil(2000 / ratePerSecond) };
}

async function deliverJob(opts: DeliveryWorkerOptions, job: DeliveryJob, token?: string): Promise<DeliveryResult> {
  const o = job.data;
  const { delivery, logger } = opts;
  const attempt = job.attemptsMade + 1;
  const prepared = await prepareDelivery(delivery, o);
  if (prepared.kind === 'finished') return { outcome: 'already', state: prepared.state };
  if (prepared.kind === 'skipped') {
    logger.info({ network: o.network, occurrence: o.id, reason: prepared.reason }, 'prompt skipped at delivery');
    return { outcome: 'skipped', reason: prepared.reason };
  }

  const wait = await opts.pacer.acquire(opts.platform, addressOf(o));
  if (wait > 0) {
    const interval = opts.config.limits[opts.platform].conversationIntervalMs;
    await job.moveToDelayed(Date.now() + wait + Math.round(Math.random() * interval * 0.5), token);
    throw new DelayedError();
  }

  let ref: SentRef;
  try {
    // An address no platform accepts (stored before the network file refused it) fails at once, logged.
    if (!o.channel && !isDeliverableEmail(o.email)) {
      throw new DeliveryError(`${o.email} is not an email address Slack or Teams accepts; fix it in the network file`, true, 'invalid_email');
    }
    const context = { network: o.network, ...(o.municipality ? { municipality: o.municipality } : {}) };
    ref = o.channel ? await opts.chat.sendToChannel(o.channel, prepared.draft, context) : await opts.chat.sendToPerson(o.email, prepared.draft, context);
  } catch (err) {
    return failed(opts, job, o, err, attempt);
  }
  // The platform accepted it: recording `sent` must not give up on a short Redis outage (a
  // Cluster master restarting), or the retried job would send it again.
  await untilRecorded(() => recordSent(delivery, o, ref, attempt, prepared.effects), logger, o);
  if (!o.channel) {
    await delivery.journeys.store.clearUnreachable([o.network], o.email).catch((err: unknown) =>
      logger.warn({ network: o.network, email: o.email, err: errorText(err) }, 'could not clear an unreachable mark after a delivery'),
    );
  }
  return { outcome: 'sent', ref };
}

/** How long recording a sent message is retried before the job fails (and may be sent again). */
const RECORD_SENT_FOR_MS = 30_000;

async function untilRecorded(record: () => Promise<void>, logger: SchedulerLogger, o: Occurrence): Promise<void> {
  const deadline = Date.now() + RECORD_SENT_FOR_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await record();
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      logger.warn({ network: o.network, occurrence: o.id, err: errorText(err) }, 'recording a sent message failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Classifies a send failure (see the module comment); always throws. */
async function failed(opts: DeliveryWorkerOptions, job: DeliveryJob, o: Occurrence, err: unknown, attempt: number): Promise<never> {
  const { delivery, logger } = opts;
  const now = delivery.journeys.now();
  const message = errorText(err);
  const log = { network: o.network, occurrence: o.id, platform: opts.platform, attempt, err: message };
  if (err instanceof DeliveryError && err.permanent) {
    if (err.unreachable && !o.channel) await markUnreachable(opts, o, err, now);
    await delivery.schedule.markFailed(o, message, attempt, now);
    logger.warn(log, 'delivery failed permanently; not retried (samla deliveries failed lists it)');
    throw new UnrecoverableError(message);
  }
  if (err instanceof DeliveryError && err.retryAfterMs !== undefined) {
    await opts.queues.rateLimit(opts.platform, Math.max(1, err.retryAfterMs));
    await delivery.schedule.noteAttempt(o, message, attempt, now);
    logger.warn({ ...log, retryAfterMs: err.retryAfterMs }, 'rate limited by the platform; the queue waits');
    throw Worker.RateLimitError();
  }
  if (attempt >= (job.opts.attempts ?? 1)) {
    await delivery.schedule.markFailed(o, message, attempt, now);
    logger.warn(log, 'delivery failed after its last try (samla deliveries retry sends it again)');
  } else {
    await delivery.schedule.noteAttempt(o, message, attempt, now);
    logger.info(log, 'delivery failed; retrying with backoff');
  }
  throw err instanceof Error ? err : new Error(message);
}

/** Records the occurrence's person as unreachable in each of their networks (logged, never thrown). */
async function markUnreachable(opts: DeliveryWorkerOptions, o: Occurrence, err: DeliveryError, now: Date): Promise<void> {
  const store = opts.delivery.journeys.store;
  try {
    const networks = await store.networksOf(o.email);
    await store.markUnreachable(networks.includes(o.network) ? networks : [o.network, ...networks], {
      email: o.email,
      name: o.name,
      platform: opts.platform,
      reason: err.code,
      detail: err.message,
      ...(err.workspace ? { workspace: err.workspace } : {}),
      at: now.toISOString(),
    });
    opts.logger.warn({ network: o.network, email: o.email, reason: err.code }, 'a person cannot be reached; recorded as unreachable for the digest');
  } catch (e) {
    opts.logger.error({ network: o.network, email: o.email, err: errorText(e) }, 'recording an unreachable person failed');
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
