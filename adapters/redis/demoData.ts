/**
 * The local demo's records (src/app/demo.ts, src/app/demoClock.ts), on the connection the
 * composition root gives it:
 *
 * - the demo clock's position (`<prefix>demo:clock`), so a restarted demo goes on from there;
 * - starting over: every key of the demo network (they all carry its hash tag), its queued
 *   delivery jobs in BullMQ, and its entries in the global indexes (the network list, each
 *   person's networks and seats), then the index generation is bumped so every process drops
 *   what it cached about the demo's people (./personIndex.ts);
 * - its scheduler state (watermark, occurrences: ./scheduleStore.ts);
 * - loading its history, on a connection of its own without the command timeout (imports are
 *   one big transaction each, as at start in src/app/main.ts).
 */
import { Queue } from 'bullmq';
import { type RedisClient, duplicateClient, scanKeys, sendCommands } from './client.ts';
import { jobIdOf } from '../../src/core/scheduler/occurrence.ts';
import { createKeys, type Keys } from './keys.ts';
import { networkKeyPattern } from './rawKeys.ts';
import { RedisScheduleStore } from './scheduleStore.ts';
import { RedisStore } from './store.ts';

export interface RedisDemoDataOptions {
  /** Key prefix, default "samla:". */
  prefix?: string;
  /** The delivery queues' names (src/app/deliveryQueue.ts, queueName), whose jobs starting over removes. */
  deliveryQueues: readonly string[];
}

export class RedisDemoData {
  private readonly keys: Keys;
  private readonly prefix: string | undefined;
  private readonly deliveryQueues: readonly string[];
  /** The demo network's scheduler state. */
  readonly schedule: RedisScheduleStore;

  constructor(
    private readonly redis: RedisClient,
    opts: RedisDemoDataOptions,
  ) {
    this.prefix = opts.prefix;
    this.keys = createKeys(opts.prefix);
    this.deliveryQueues = opts.deliveryQueues;
    this.schedule = new RedisScheduleStore(redis, opts.prefix);
  }

  /** The demo clock's saved position; undefined when none (or an unreadable one) is saved. */
  async clock(): Promise<Date | undefined> {
    const saved = await this.redis.get(this.keys.demoClock());
    const at = saved === null ? NaN : Date.parse(saved);
    return Number.isFinite(at) ? new Date(at) : undefined;
  }

  async saveClock(at: Date): Promise<void> {
    await this.redis.set(this.keys.demoClock(), at.toISOString());
  }

  /**
   * Runs `work` (the demo's imports) with a store on a connection of its own that has no
   * command timeout and queues commands while it connects; the connection closes afterwards.
   */
  async importing<T>(work: (store: RedisStore) => Promise<T>): Promise<T> {
    const conn = duplicateClient(this.redis, { commandTimeout: undefined, enableOfflineQueue: true });
    conn.on('error', () => {}); // failures surface as rejected commands
    try {
      return await work(new RedisStore(conn, { prefix: this.prefix }));
    } finally {
      conn.disconnect();
    }
  }

  /**
   * Deletes a network's keys, its queued delivery jobs and its index entries; `people` are the
   * emails of its people (NetworkStore.getPeople), read before.
   */
  async removeNetwork(network: string, people: readonly string[]): Promise<void> {
    const { redis, keys } = this;
    const occurrences = await redis.hkeys(keys.occurrences(network));
    if (occurrences.length) {
      // BullMQ needs a connection that retries forever (its blocking commands).
      const bull = duplicateClient(redis, { maxRetriesPerRequest: null });
      bull.on('error', () => {});
      try {
        for (const name of this.deliveryQueues) {
          const queue = new Queue(name, { connection: bull, prefix: keys.bullPrefix() });
          for (const o of occurrences) await queue.remove(jobIdOf(o)).catch(() => 0);
          await queue.close();
        }
      } finally {
        await bull.quit().catch(() => bull.disconnect());
      }
    }
    // The network's keys share its slot; the global index entries are one key each (a Cluster
    // spreads them over slots), every step safe to repeat.
    const found = await scanKeys(redis, networkKeyPattern(keys, network));
    for (let i = 0; i < found.length; i += 500) await redis.unlink(...found.slice(i, i + 500));
    const commands: (string | number)[][] = [['srem', keys.networks(), network]];
    for (const email of people) commands.push(['srem', keys.personNetworks(email), network], ['hdel', keys.personSeats(email), network]);
    commands.push(['incr', keys.generation()]);
    await sendCommands(redis, commands);
  }
}
