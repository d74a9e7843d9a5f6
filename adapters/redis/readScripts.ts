/**
 * Read-only Lua scripts of the hot path (issue 11), kept apart from the write scripts in
 * ./scripts.ts. Each reads keys of one network only (one hash tag), so it runs on Redis Cluster.
 * They exist to answer in one round trip what would otherwise take two dependent commands.
 */
import type { ClientContext, Result } from 'ioredis';
import type { RedisClient } from './client.ts';

/**
 * samlaDefIfChanged: the network's version, and its definition only when that version is not
 * the one the caller has cached.
 *
 * KEYS[1]  meta key (hash)   field `version`
 * KEYS[2]  def key  (string) the definition JSON
 * ARGV[1]  the cached version, or "" when nothing is cached
 *
 * Returns { version } when ARGV[1] is the current version; else { version or false, def or
 * false }. Import and forget write both keys in one MULTI, so they always belong together.
 */
export const DEF_IF_CHANGED_LUA = `
local v = redis.call('HGET', KEYS[1], 'version')
if v and v == ARGV[1] then
  return { v }
end
return { v or false, redis.call('GET', KEYS[2]) }
`;

/**
 * samlaNewest: the newest `n` records of a time-ordered kind (status reports, nudges), newest
 * first, in one trip instead of ZREVRANGE then HMGET.
 *
 * KEYS[1]  order key (zset)  record id by time
 * KEYS[2]  by-id key (hash)  record id → JSON
 * ARGV[1]  n (at least 1)
 *
 * Returns a flat list id, json, id, json … (json false when the hash lost the record).
 */
export const NEWEST_LUA = `
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then
  return {}
end
local values = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = values[i]
end
return out
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** See DEF_IF_CHANGED_LUA (2 keys). */
    samlaDefIfChanged(numKeys: 2, meta: string, def: string, cachedVersion: string): Result<(string | null)[], Context>;
    /** See NEWEST_LUA (2 keys). */
    samlaNewest(numKeys: 2, order: string, byId: string, n: number): Result<(string | null)[], Context>;
  }
}

/** Registers the read scripts on a connection (idempotent). */
export function defineReadScripts(redis: RedisClient): void {
  if (typeof (redis as { samlaDefIfChanged?: unknown }).samlaDefIfChanged !== 'function') redis.defineCommand('samlaDefIfChanged', { lua: DEF_IF_CHANGED_LUA });
  if (typeof (redis as { samlaNewest?: unknown }).samlaNewest !== 'function') redis.defineCommand('samlaNewest', { lua: NEWEST_LUA });
}
