/**
 * The scheduler as the composition root starts it:
 *
 *   const scheduler = await startScheduler({ redis, store, platforms, clock, logger, tickEveryMs });
 *   …
 *   await scheduler.stop();   // on SIGTERM
 *
 * At start it runs a catch-up pass (everything that fell due while no Samla process ran, from
 * each network's watermark in Redis), then a pass every `tickEveryMs`. The due work lives in
 * Redis, so a missed or failed pass is caught up by the next one, in this process or another:
 * run as many processes as you like on one Redis. Passes in one process never overlap.
 * Delivery workers start for every platform in `platforms`; prompts for a platform that is not
 * configured wait in its queue.
 */
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, NetworkStore } from '../core/ports.ts';
import { silentLogger, type Clock, type SchedulerLogger } from '../core/scheduler/ports.ts';
import type { TickReport } from '../core/scheduler/tick.ts';
import type { Texts } from '../core/texts.ts';
import { DeliveryRuntime } from './deliveryRuntime.ts';
import { loadTexts } from './prompts.ts';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './schedulerConfig.ts';

export interface SchedulerOptions {
  redis: RedisClient;
  store: NetworkStore;
  platforms: Partial<Record<Platform, ChatPlatform>>;
  clock?: Clock;
  logger?: SchedulerLogger;
  /** Default: `config.tickEveryMs` (SAMLA_TICK_EVERY_MS, 60 s). */
  tickEveryMs?: number;
  /** SAMLA_REDIS_PREFIX, default "samla:". */
  prefix?: string;
  texts?: Texts;
  config?: SchedulerConfig;
}

export interface RunningScheduler {
  runtime: DeliveryRuntime;
  /** Runs a pass now (also used by the timer); resolves with its report. */
  tick(at?: Date): Promise<TickReport | undefined>;
  /** Stops ticking, lets running sends finish, closes the queues. Idempotent. */
  stop(): Promise<void>;
}

export async function startScheduler(opts: SchedulerOptions): Promise<RunningScheduler> {
  const config = opts.config ?? DEFAULT_SCHEDULER_CONFIG;
  const logger = opts.logger ?? silentLogger;
  const runtime = new DeliveryRuntime({
    redis: opts.redis,
    store: opts.store,
    texts: opts.texts ?? loadTexts(),
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    logger,
    config,
  });
  runtime.startWorkers(opts.platforms);

  let running: Promise<TickReport | undefined> | undefined;
  let stopped = false;
  const pass = (at?: Date): Promise<TickReport | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= runtime
      .tick(at)
      .then((report) => {
        const enqueued = report.networks.reduce((n, r) => n + r.enqueued + r.resumed, 0);
        if (enqueued > 0) logger.info({ at: report.at, enqueued }, 'scheduler pass enqueued prompts');
        return report;
      })
      .catch((err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'scheduler pass failed; the next one catches up');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  await pass(); // catch-up at start
  const timer = setInterval(() => void pass(), opts.tickEveryMs ?? config.tickEveryMs);
  timer.unref();

  return {
    runtime,
    tick: pass,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await runtime.close();
    },
  };
}
