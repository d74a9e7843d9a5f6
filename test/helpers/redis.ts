/**
 * Real-Redis helpers for tests. The Redis may be shared with everything on the machine: every
 * `testRedis()` gets its own key prefix, and cleanup deletes only keys under that prefix.
 * Never FLUSHALL / FLUSHDB.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export interface TestRedis {
  /** A connection of its own; closed by `cleanup()`. */
  redis: Redis;
  /** A fresh prefix, `samla-test:<random>:`, for the store and every key the test writes. */
  prefix: string;
  /** The Redis URL, for code that opens its own connections. */
  url: string;
  /** Deletes every key under `prefix` (SCAN + UNLINK) and quits the connection. */
  cleanup(): Promise<void>;
}

/** The Redis URL chosen by test/setup/redis-global.ts. */
export function redisUrl(): string {
  let url: string | undefined;
  try {
    url = inject('redisUrl');
  } catch {
    // outside a vitest worker
  }
  return url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Opens a connection to the test Redis (checked with PING). */
export async function connectTestRedis(url = redisUrl()): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  redis.on('error', () => {}); // failures surface as rejected commands
  await redis.ping();
  return redis;
}

/** A connection and a unique key prefix for one test file (or one test). */
export async function testRedis(): Promise<TestRedis> {
  const url = redisUrl();
  const redis = await connectTestRedis(url);
  const prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
  return {
    redis,
    prefix,
    url,
    async cleanup() {
      await deleteUnder(redis, prefix);
      await redis.quit();
    },
  };
}

/** Escapes the glob characters of a SCAN MATCH pattern. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every key under the prefix, via SCAN (never KEYS). */
async function scanUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
    for (const k of keys) found.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...found];
}

/** Deletes every key under the prefix and nothing else. */
export async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

/** The keys under the prefix, sorted. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  return (await scanUnder(redis, prefix)).sort();
}

/** One key's content, read by type, in a stable order so equal content compares equal. */
export type KeyContent =
  | { type: 'string'; value: string | null }
  | { type: 'hash'; value: [string, string][] }
  | { type: 'set'; value: string[] }
  | { type: 'zset'; value: string[] }
  | { type: 'list'; value: string[] }
  | { type: 'stream'; value: [string, string[]][] }
  | { type: string; value: string | null };

/** A key's content as `snapshot` records it; `expires` when the key has a TTL. */
export type Snapshotted = KeyContent & { expires?: true };

/**
 * Every key under the prefix with its content (and whether it has a TTL when one is set), for asserting that
 * an operation changed nothing: `expect(await snapshot(r, p)).toEqual(before)`.
 */
export async function snapshot(redis: Redis, prefix: string): Promise<Record<string, Snapshotted>> {
  const out: Record<string, Snapshotted> = {};
  for (const key of await keysUnder(redis, prefix)) {
    const content: Snapshotted = await readKey(redis, key);
    if ((await redis.pttl(key)) >= 0) content.expires = true; // that it expires, not the countdown
    out[key] = content;
  }
  return out;
}

async function readKey(redis: Redis, key: string): Promise<KeyContent> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return { type, value: await redis.get(key) };
    case 'hash':
      return { type, value: Object.entries(await redis.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
    case 'set':
      return { type, value: (await redis.smembers(key)).sort() };
    case 'zset':
      return { type, value: await redis.zrange(key, 0, '-1', 'WITHSCORES') };
    case 'list':
      return { type, value: await redis.lrange(key, 0, -1) };
    case 'stream':
      return { type, value: await redis.xrange(key, '-', '+') };
    default: {
      const dumped = await redis.dumpBuffer(key);
      return { type, value: dumped === null ? null : dumped.toString('base64') };
    }
  }
}
