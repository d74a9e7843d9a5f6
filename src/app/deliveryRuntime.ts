/**
 * The scheduler's parts wired together on one Redis: the schedule store, the delivery queues,
 * pacing and (on demand) the delivery workers. `startScheduler` (./scheduler.ts) runs it in the
 * server; the CLI (`samla tick`, `samla deliveries`) and the tests use it directly.
 */
import { type RedisClient, duplicateClient } from '../../adapters/redis/client.ts';
import type { Worker } from 'bullmq';
import { createKeys, type Keys } from '../../adapters/redis/keys.ts';
import { RedisScheduleStore } from '../../adapters/redis/scheduleStore.ts';
import { SamlaError } from '../core/errors.ts';
import type { JourneyContext } from '../core/journeys/context.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, NetworkStore } from '../core/ports.ts';
import type { DeliveryContext } from '../core/scheduler/deliver.ts';
import { NetworkCache } from '../core/scheduler/networkCache.ts';
import type { Occurrence } from '../core/scheduler/occurrence.ts';
import { silentLogger, type Clock, type SchedulerLogger } from '../core/scheduler/ports.ts';
import { tick, type TickDeps, type TickReport } from '../core/scheduler/tick.ts';
import type { Texts } from '../core/texts.ts';
import { Pacer } from './deliveryPacing.ts';
import { DeliveryQueues } from './deliveryQueue.ts';
import { BULLMQ_CONNECTION_OVERRIDES } from './redis.ts';
import { startDeliveryWorker, type DeliveryResult } from './deliveryWorker.ts';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './schedulerConfig.ts';

export interface DeliveryRuntimeOptions {
  /** A connection without `keyPrefix`; the runtime duplicates it for BullMQ and closes only that. */
  redis: RedisClient;
  store: NetworkStore;
  texts: Texts;
  /** Samla's key prefix (SAMLA_REDIS_PREFIX), default "samla:". */
  prefix?: string;
  clock?: Clock;
  logger?: SchedulerLogger;
  config?: SchedulerConfig;
  /** Passed to every pass (tests: batch size and the mid-fan-out hook). */
  tickOptions?: Pick<TickDeps, 'batchSize' | 'afterClaim' | 'quietGraceMs'>;
}

export class DeliveryRuntime {
  readonly keys: Keys;
  readonly schedule: RedisScheduleStore;
  readonly queues: DeliveryQueues;
  readonly delivery: DeliveryContext;
  readonly config: SchedulerConfig;
  readonly clock: Clock;
  private readonly logger: SchedulerLogger;
  private readonly bull: RedisClient;
  private readonly pacer: Pacer;
  private readonly workers: Worker<Occurrence, DeliveryResult>[] = [];
  /** When each network's nudges were last looked at, across this runtime's passes. */
  private readonly nudgesChecked = new Map<string, number>();
  private readonly workerPlatforms: Platform[] = [];

  constructor(private readonly opts: DeliveryRuntimeOptions) {
    this.keys = createKeys(opts.prefix);
    this.config = opts.config ?? DEFAULT_SCHEDULER_CONFIG;
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger ?? silentLogger;
    this.schedule = new RedisScheduleStore(opts.redis, opts.prefix);
    // BullMQ wants maxRetriesPerRequest: null, its offline queue and no command timeout (blocking
    // reads), so that a Redis restart makes it wait, not fail (./redis.ts).
    this.bull = duplicateClient(opts.redis, BULLMQ_CONNECTION_OVERRIDES);
    this.bull.on('error', () => {}); // BullMQ reports failures through its own calls and events
    this.pacer = new Pacer(opts.redis, this.keys, this.config.limits);
    this.queues = new DeliveryQueues(this.bull, this.keys, this.config);
    // Without a listener BullMQ prints every connection error while Redis is away; say it once a minute.
    let lastSaid = 0;
    for (const queue of Object.values(this.queues.queues)) {
      queue.on('error', (err: Error) => {
        if (Date.now() - lastSaid < 60_000) return;
        lastSaid = Date.now();
        this.logger.warn({ err: err.message, queue: queue.name }, 'delivery queue: RedisClient connection error (retrying; jobs wait)');
      });
    }
    const journeys: JourneyContext = { store: opts.store, texts: opts.texts, now: this.clock };
    this.delivery = { journeys, schedule: this.schedule, facts: this.schedule, networks: new NetworkCache(opts.store) };
  }

  /** One scheduler pass as of `at` (default: the clock's now). */
  tick(at: Date = this.clock(), networks?: string[]): Promise<TickReport> {
    const deps: TickDeps = {
      store: this.opts.store,
      schedule: this.schedule,
      queue: this.queues,
      logger: this.logger,
      networks: this.delivery.networks,
      reminderFraction: this.config.reminderFraction,
      ...(this.config.nudges ? { nudges: { ...this.config.nudges, checked: this.nudgesChecked } } : {}),
      ...this.opts.tickOptions,
    };
    return tick(deps, at, networks ? { networks } : {});
  }

  /** Starts a delivery worker for every platform given. */
  startWorkers(platforms: Partial<Record<Platform, ChatPlatform>>): void {
    for (const [platform, chat] of Object.entries(platforms) as [Platform, ChatPlatform | undefined][]) {
      if (!chat) continue;
      this.workerPlatforms.push(platform);
      this.workers.push(
        startDeliveryWorker({
          connection: this.bull,
          keys: this.keys,
          platform,
          chat,
          delivery: this.delivery,
          queues: this.queues,
          pacer: this.pacer,
          config: this.config,
          logger: this.logger,
        }),
      );
    }
  }

  /** The delivery workers started so far, with their platform (for metrics and readiness). */
  get runningWorkers(): { platform: Platform; worker: Worker<Occurrence, DeliveryResult> }[] {
    return this.workers.map((worker, i) => ({ platform: this.workerPlatforms[i]!, worker }));
  }

  /**
   * Waits until no delivery is waiting, delayed or active (failed ones do not count) on the
   * platforms this runtime has workers for (all platforms when it has none), polling every
   * `pollMs`. Throws UNAVAILABLE after `timeoutMs`.
   */
  async drain(timeoutMs = 30_000, pollMs = 25): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const platforms = [...new Set(this.workerPlatforms)];
    for (;;) {
      if ((await this.queues.pending(platforms.length ? platforms : undefined)) === 0) return;
      if (Date.now() > deadline) {
        throw new SamlaError(
          'UNAVAILABLE',
          `Deliveries are still pending after ${Math.round(timeoutMs / 1000)} s (rate limits, retries or an unreachable platform); they stay queued. See samla deliveries failed.`,
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Stops the workers (letting running sends finish) and closes the queues and BullMQ's connection. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    await this.queues.close();
    await this.bull.quit().catch(() => this.bull.disconnect());
  }
}
