/**
 * Whole keys by their Redis type: found by SCAN, read in one pipeline, compared, and written
 * back in a MULTI. Used where code handles keys it does not know in advance (person export and
 * forget, ./personData.ts; retention, ./retention.ts).
 */
import { type RedisClient, globEscape, sendCommands } from './client.ts';
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

export { globEscape, scanKeys } from './client.ts';

/** Reads keys by type (in one pipeline on a single Redis; key by key on a Cluster); missing keys are left out. */
export async function readKeys(redis: RedisClient, keys: string[]): Promise<Map<string, RawValue>> {
  const out = new Map<string, RawValue>();
  if (keys.length === 0) return out;
  const types = await sendCommands(
    redis,
    keys.map((k) => ['type', k]),
  );
  const reads: (string | number)[][] = [];
  const plan: [string, RawValue['type']][] = [];
  keys.forEach((key, i) => {
    const [err, type] = types[i] ?? [];
    if (err) throw new SamlaError('UNAVAILABLE', `Reading ${key} failed: ${err.message}`, { cause: err });
    const read = READ_BY_TYPE[type as RawValue['type']];
    if (!read) return;
    reads.push([...read.slice(0, 1), key, ...read.slice(1)]);
    plan.push([key, type as RawValue['type']]);
  });
  const replies = await sendCommands(redis, reads);
  plan.forEach(([key, type], i) => {
    const [err, raw] = replies[i] ?? [];
    if (err) throw new SamlaError('UNAVAILABLE', `Reading ${key} failed: ${err.message}`, { cause: err });
    if (raw === null || raw === undefined) return;
    // sendCommands gives raw replies: HGETALL as a flat list.
    const value = type === 'hash' && Array.isArray(raw) ? pairsToObject(raw as string[]) : raw;
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

/** The read command (name, then arguments after the key) of each type. */
const READ_BY_TYPE: Record<RawValue['type'], string[]> = {
  string: ['get'],
  hash: ['hgetall'],
  zset: ['zrange', '0', '-1', 'WITHSCORES'],
  set: ['smembers'],
  list: ['lrange', '0', '-1'],
  stream: ['xrange', '-', '+'],
};

function pairsToObject(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Every key of one network (they all carry its hash tag). */
export function networkKeyPattern(keys: Keys, networkId: string): string {
  return `${globEscape(keys.prefix)}${globEscape(keys.tag(networkId))}:*`;
}

type Multi = ReturnType<RedisClient['multi']>;

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
