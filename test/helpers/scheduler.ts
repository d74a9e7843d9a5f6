/**
 * Scheduler test harness: a real Redis under a fresh prefix, the network imported at a given
 * time, a DeliveryRuntime on a fake clock with recording platforms (Slack and Teams), and
 * `passAt(time)`: set the clock, run one pass, wait until every delivery is done. `close()`
 * stops the workers, closes the queues and deletes only this prefix's keys.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../adapters/redis/store.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../../src/app/schedulerConfig.ts';
import { localToInstant } from '../../src/core/calendar.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import type { SchedulerLogger } from '../../src/core/scheduler/ports.ts';
import type { TickReport } from '../../src/core/scheduler/tick.ts';
import type { Texts } from '../../src/core/texts.ts';
import { exampleNetwork } from './exampleNetwork.ts';
import { RecordingPlatform, type RecordedCall } from './recordingPlatform.ts';
import { deleteUnder, redisUrl } from './redis.ts';

export const OSLO = 'Europe/Oslo';
/** An instant from a local Oslo time ("2027-01-20T09:00"), or an ISO instant with an offset. */
export function oslo(t: string | Date): Date {
  if (t instanceof Date) return t;
  return /Z|[+-]\d\d:\d\d$/.test(t) ? new Date(t) : localToInstant(t, OSLO);
}

/**
 * Fast settings for tests: short backoff, few tries, no pacing, no rate limit to speak of; and no
 * steering-group nudges unless asked for (`nudges: …`), so tests of the agenda's prompts count
 * only those (the nudge tests turn them on).
 */
export function testConfig(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return {
    ...DEFAULT_SCHEDULER_CONFIG,
    nudges: undefined,
    attempts: 3,
    backoffMs: 20,
    maxBackoffMs: 200,
    concurrency: 8,
    limits: {
      slack: { ratePerSecond: 1000, conversationIntervalMs: 0 },
      teams: { ratePerSecond: 1000, conversationIntervalMs: 0 },
    },
    ...overrides,
  };
}

export class FakeClock {
  constructor(public current: Date) {}
  now = (): Date => new Date(this.current.getTime());
  set(t: string | Date): Date {
    this.current = oslo(t);
    return this.current;
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string;
}

export function recordingLogger(lines: LogLine[]): SchedulerLogger {
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

let texts: Texts | undefined;

/** One "process": its own connection, store and runtime on the shared Redis and prefix. */
export interface Node {
  redis: Redis;
  store: RedisStore;
  runtime: DeliveryRuntime;
  close(): Promise<void>;
}

export async function startNode(opts: {
  url: string;
  prefix: string;
  clock: FakeClock;
  platforms?: { slack: RecordingPlatform; teams: RecordingPlatform };
  config?: SchedulerConfig;
  logger?: SchedulerLogger;
  batchSize?: number;
}): Promise<Node> {
  const redis = new Redis(opts.url, { maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  const store = new RedisStore(redis, { prefix: opts.prefix });
  const runtime = new DeliveryRuntime({
    redis,
    store,
    texts: (texts ??= loadTexts()),
    prefix: opts.prefix,
    clock: opts.clock.now,
    config: opts.config ?? testConfig(),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.batchSize ? { tickOptions: { batchSize: opts.batchSize } } : {}),
  });
  if (opts.platforms) runtime.startWorkers(opts.platforms);
  return {
    redis,
    store,
    runtime,
    async close() {
      await runtime.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export interface Harness extends Node {
  url: string;
  prefix: string;
  clock: FakeClock;
  slack: RecordingPlatform;
  teams: RecordingPlatform;
  logs: LogLine[];
  /** All accepted calls on both platforms. */
  accepted(): RecordedCall[];
  /** Sets the clock, runs a pass, waits for the deliveries. */
  passAt(t: string | Date): Promise<TickReport>;
  /** Deletes this prefix's keys after closing. */
  close(): Promise<void>;
}

export async function schedulerHarness(opts: {
  def?: NetworkDefinition;
  importAt: string;
  config?: SchedulerConfig;
  /** Start delivery workers (default true). */
  workers?: boolean;
}): Promise<Harness> {
  const url = redisUrl();
  const prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
  const clock = new FakeClock(oslo(opts.importAt));
  const slack = new RecordingPlatform('slack', clock.now);
  const teams = new RecordingPlatform('teams', clock.now);
  const logs: LogLine[] = [];
  const node = await startNode({
    url,
    prefix,
    clock,
    ...(opts.workers === false ? {} : { platforms: { slack, teams } }),
    ...(opts.config ? { config: opts.config } : {}),
    logger: recordingLogger(logs),
  });
  await node.store.importNetwork(opts.def ?? exampleNetwork(), { now: clock.now(), actor: 'test' });
  return {
    ...node,
    url,
    prefix,
    clock,
    slack,
    teams,
    logs,
    accepted: () => [...slack.accepted, ...teams.accepted],
    async passAt(t) {
      const at = clock.set(t);
      const report = await node.runtime.tick(at);
      await node.runtime.drain(10_000);
      return report;
    },
    async close() {
      await node.runtime.close();
      await deleteUnder(node.redis, prefix);
      await node.redis.quit().catch(() => node.redis.disconnect());
    },
  };
}
