/**
 * Whole keys by their Redis type: found by SCAN, read in one pipeline, compared, and written
 * back in a MULTI. Used where code handles keys it does not know in advance (person export and
 * forget, ./personData.ts; retention, ./retention.ts).
 */
import type { Redis } from 'ioredis';
import { SamlaError } from '../../src/core/errors.ts';
import type { Keys } from './keys.ts';

/** One key's content, read by type. */
export type RawValue =
  | { type: 'string'; value: string }
  | { type: 'hash'; value: Record<string, string> }
  | { type: 'zset'; value: [string, number][] }
  | { type: 'set'; value: string[] }
  | { type: 'list'; value: string[] }
  | { type: 'stream'; value: [string, string[]][] };

/** Escapes SCAN MATCH glob characters. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** Reads keys by type in one pipeline; missing keys are left out. */
export async function readKeys(redis: Redis, keys: string[]): Promise<Map<string, RawValue>> {
  const out = new Map<string, RawValue>();
  if (keys.length === 0) return out;
  const types = (await redis.pipeline(keys.map((k) => ['type', k])).exec()) ?? [];
  const pipe = redis.pipeline();
  const plan: [string, RawValue['type']][] = [];
  keys.forEach((key, i) => {
    const type = types[i]?.[1] as string;
    switch (type) {
      case 'string':
        pipe.get(key);
        break;
      case 'hash':
        pipe.hgetall(key);
        break;
      case 'zset':
        pipe.zrange(key, 0, '-1', 'WITHSCORES');
        break;
      case 'set':
        pipe.smembers(key);
        break;
      case 'list':
        pipe.lrange(key, 0, -1);
        break;
      case 'stream':
        pipe.xrange(key, '-', '+');
        break;
      default:
        return;
    }
    plan.push([key, type as RawValue['type']]);
  });
  const replies = (await pipe.exec()) ?? [];
  plan.forEach(([key, type], i) => {
    const [err, value] = replies[i] ?? [];
    if (err) throw new SamlaError('UNAVAILABLE', `Reading ${key} failed: ${err.message}`, { cause: err });
    if (value === null || value === undefined) return;
    if (type === 'zset') {
      const flat = value as string[];
      const pairs: [string, number][] = [];
      for (let j = 0; j + 1 < flat.length; j += 2) pairs.push([flat[j]!, Number(flat[j + 1])]);
      out.set(key, { type, value: pairs });
    } else {
      out.set(key, { type, value } as RawValue);
    }
  });
  return out;
}

/** Every key matching a pattern (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const k of keys) found.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...found].sort();
}

/** Every key of one network (they all carry its hash tag). */
export function networkKeyPattern(keys: Keys, networkId: string): string {
  return `${globEscape(keys.prefix)}${globEscape(keys.tag(networkId))}:*`;
}

type Multi = ReturnType<Redis['multi']>;

export function writeValue(multi: Multi, key: string, v: RawValue): void {
  switch (v.type) {
    case 'string':
      multi.set(key, v.value);
      break;
    case 'hash':
      if (Object.keys(v.value).length) multi.hset(key, v.value);
      break;
    case 'zset':
      if (v.value.length) multi.zadd(key, ...v.value.flatMap(([m, s]) => [s, m]));
      break;
    case 'set':
      if (v.value.length) multi.sadd(key, ...v.value);
      break;
    case 'list':
      if (v.value.length) multi.rpush(key, ...v.value);
      break;
    case 'stream':
      for (const [id, fields] of v.value) multi.xadd(key, id, ...fields);
      break;
  }
}

export const hashEntries = (v: RawValue): [string, string][] => (v.type === 'hash' ? Object.entries(v.value) : []);

export function isEmpty(v: RawValue | null): boolean {
  if (!v) return true;
  if (v.type === 'string') return false;
  return Array.isArray(v.value) ? v.value.length === 0 : Object.keys(v.value).length === 0;
}

export function sameValue(a: RawValue | null, b: RawValue): boolean {
  return a !== null && JSON.stringify(a.value) === JSON.stringify(b.value);
}
