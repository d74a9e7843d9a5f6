/**
 * What the Redis adapters need from a connection, whether it is one Redis (standalone or found
 * through Sentinel) or a Redis Cluster (issue 14).
 *
 * On a Cluster every command, pipeline, MULTI and Lua script must stay within one hash slot.
 * The adapters keep to that as follows:
 *
 * - Everything of one network carries the network's hash tag `{<id>}` (./keys.ts), so the
 *   import's MULTI, the scheduler's claims and every record script touch one slot.
 * - Writes to global keys (the indexes, identities, Teams references, Slack installations) are
 *   separate single-key commands, each safe to repeat, sent with `sendCommands` (one pipeline
 *   on a single Redis; on a Cluster ioredis sends each to its node). Their order is chosen so a
 *   stop half-way leaves nothing a reader would believe (see each writer).
 * - SCAN walks every master of a Cluster (`scanKeys`).
 */
import type { Cluster, Redis } from 'ioredis';

/** A connection: one Redis, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** True for a Redis Cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/** Options that may be overridden on a duplicate (applied to each node's connection on a Cluster). */
export interface DuplicateOverrides {
  commandTimeout?: number | undefined;
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest?: number | null;
}

/**
 * A new connection to the same Redis or Cluster, with `overrides` (ioredis' `duplicate` takes
 * them differently for the two).
 */
export function duplicateClient(redis: RedisClient, overrides: DuplicateOverrides = {}): RedisClient {
  if (isCluster(redis)) {
    const { enableOfflineQueue, ...perNode } = overrides;
    const redisOptions = { ...redis.options.redisOptions, ...perNode };
    // A Cluster duplicate connects at once and queues its first commands until it has the
    // slots (with lazyConnect and no offline queue, its first command would fail).
    return redis.duplicate(undefined, { lazyConnect: false, enableOfflineQueue: enableOfflineQueue ?? true, redisOptions });
  }
  // Through Sentinel the master is found first: a lazy duplicate's first command would fail.
  if (redis.options.sentinels?.length) return redis.duplicate({ ...overrides, lazyConnect: false, enableOfflineQueue: overrides.enableOfflineQueue ?? true });
  return redis.duplicate(overrides);
}

/** Escapes SCAN MATCH glob characters. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every key matching a pattern, sorted (SCAN, never KEYS; on a Cluster, on every master). */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const k of keys) found.add(k);
      cursor = next;
    } while (cursor !== '0');
  }
  return [...found].sort();
}

/** Commands sent in one batch (a pipeline on a single Redis). */
export const COMMAND_BATCH = 5000;

/** One reply of `sendCommands`: [error, result], like a pipeline's. */
export type Reply = [Error | null, unknown];

/**
 * Sends independent commands (each `[name, ...args]`) and returns their replies in order.
 * On a single Redis they go in pipelines of COMMAND_BATCH; on a Cluster each goes to the node
 * of its key (ioredis writes them without waiting for each other), since a pipeline there must
 * stay within one slot. Not atomic: use it only for commands each of which is safe to repeat.
 */
export async function sendCommands(redis: RedisClient, commands: (string | number)[][]): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < commands.length; i += COMMAND_BATCH) {
    const batch = commands.slice(i, i + COMMAND_BATCH);
    if (isCluster(redis)) {
      const settled = await Promise.allSettled(batch.map(([name, ...args]) => redis.call(String(name), ...args)));
      for (const s of settled) out.push(s.status === 'fulfilled' ? [null, s.value] : [s.reason instanceof Error ? s.reason : new Error(String(s.reason)), null]);
    } else {
      const replies = (await redis.pipeline(batch).exec()) ?? [];
      for (const r of replies) out.push([r[0], r[1]]);
    }
  }
  return out;
}
