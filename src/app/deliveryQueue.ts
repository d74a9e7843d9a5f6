/**
 * The delivery queues: one BullMQ queue per platform (`deliveries-slack`, `deliveries-teams`),
 * so each gets its own rate limiter, under the BullMQ prefix `<SAMLA_REDIS_PREFIX>{bull}` (one
 * Cluster slot; tests isolate by prefix).
 *
 * - `enqueue` adds one job per occurrence with the job id derived from the occurrence id: adding
 *   the same occurrence twice, from any process, leaves one job. Each job gets the configured
 *   tries and the jittered exponential backoff.
 * - Completed jobs are removed after a day (the occurrence record in Redis is what keeps an
 *   occurrence from being sent again); failed jobs are kept until retried, so
 *   `samla deliveries failed` can list them and `samla deliveries retry` can send them again.
 */
import { Queue, type Job } from 'bullmq';
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Keys } from '../../adapters/redis/keys.ts';
import { notFound } from '../core/errors.ts';
import { PLATFORMS, type Platform } from '../core/model.ts';
import { jobIdOf, occurrenceOfJobId, type Occurrence } from '../core/scheduler/occurrence.ts';
import type { DeliveryQueue, ScheduleStore } from '../core/scheduler/ports.ts';
import { BACKOFF_TYPE } from './deliveryBackoff.ts';
import type { SchedulerConfig } from './schedulerConfig.ts';

/** The queue name of a platform (BullMQ queue names cannot contain ":"). */
export function queueName(platform: Platform): string {
  return `deliveries-${platform}`;
}

/** Completed jobs are kept this long (seconds), for inspection only. */
const KEEP_COMPLETED_S = 24 * 3600;

/** A delivery that gave up: a permanent error, or its tries used up. */
export interface FailedDelivery {
  job: string;
  occurrence: string;
  network: string;
  kind: Occurrence['kind'];
  email: string;
  municipality?: string;
  platform: Platform;
  reason: string;
  attempts: number;
  /** ISO instant of the last failure (real time, as BullMQ records it). */
  failedAt?: string;
}

export type DeliveryJob = Job<Occurrence, unknown, string>;

export class DeliveryQueues implements DeliveryQueue {
  readonly queues: Record<Platform, Queue<Occurrence>>;

  /**
   * @param connection an ioredis connection with `maxRetriesPerRequest: null`, shared by the
   *   queues and left open by `close()`.
   */
  constructor(
    readonly connection: RedisClient,
    keys: Keys,
    private readonly config: SchedulerConfig,
  ) {
    const prefix = keys.bullPrefix();
    this.queues = Object.fromEntries(PLATFORMS.map((p) => [p, new Queue<Occurrence>(queueName(p), { connection, prefix })])) as Record<
      Platform,
      Queue<Occurrence>
    >;
  }

  /**
   * Adds a job per occurrence (idempotent by job id), in the order given: the fan-out gives
   * all recipients of one prompt before the next prompt, so under the platform's rate limit the
   * prompts to one person are naturally spread out (see ./deliveryPacing.ts).
   */
  async enqueue(occurrences: Occurrence[]): Promise<void> {
    const byPlatform = new Map<Platform, Occurrence[]>();
    for (const o of occurrences) byPlatform.set(o.platform, [...(byPlatform.get(o.platform) ?? []), o]);
    for (const [platform, list] of byPlatform) {
      await this.queues[platform].addBulk(
        list.map((o) => ({
          name: o.kind,
          data: o,
          opts: {
            jobId: jobIdOf(o.id),
            attempts: this.config.attempts,
            backoff: { type: BACKOFF_TYPE },
            removeOnComplete: { age: KEEP_COMPLETED_S },
            removeOnFail: false,
          },
        })),
      );
    }
  }

  /** Jobs not finished yet (waiting, delayed for pacing or retries, active), on all or some platforms. */
  async pending(platforms: readonly Platform[] = PLATFORMS): Promise<number> {
    let n = 0;
    for (const p of platforms) {
      const c = await this.queues[p].getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      n += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return n;
  }

  /** Every failed delivery, oldest failure first. */
  async failed(): Promise<FailedDelivery[]> {
    const out: FailedDelivery[] = [];
    for (const platform of PLATFORMS) {
      for (const job of await this.queues[platform].getFailed(0, -1)) {
        if (!job?.id) continue;
        const o = job.data;
        out.push({
          job: job.id,
          occurrence: o.id ?? occurrenceOfJobId(job.id) ?? job.id,
          network: o.network,
          kind: o.kind,
          email: o.email,
          ...(o.municipality ? { municipality: o.municipality } : {}),
          platform,
          reason: job.failedReason ?? '',
          attempts: job.attemptsMade,
          ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
        });
      }
    }
    return out.sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
  }

  /**
   * Sends failed deliveries again: the job goes back to waiting with its tries reset, and the
   * occurrence from `failed` to `queued`. `ids` are occurrence ids or job ids; NOT_FOUND names
   * the first that is not a failed delivery. Returns the deliveries retried.
   */
  async retry(ids: string[] | 'all', schedule: ScheduleStore, now: Date): Promise<FailedDelivery[]> {
    const failed = await this.failed();
    const chosen =
      ids === 'all'
        ? failed
        : ids.map((id) => {
            const found = failed.find((f) => f.occurrence === id || f.job === id || f.job === jobIdOf(id));
            if (!found) throw notFound(`"${id}" is not a failed delivery. List them with: samla deliveries failed`);
            return found;
          });
    for (const f of chosen) {
      const job = await this.queues[f.platform].getJob(f.job);
      if (!job) continue;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      await schedule.requeue(f.network, f.occurrence, now);
    }
    return chosen;
  }

  /** Pauses a platform's queue for `ms` (a 429 from the platform), for every process. */
  async rateLimit(platform: Platform, ms: number): Promise<void> {
    await this.queues[platform].rateLimit(ms);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
