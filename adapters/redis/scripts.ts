/**
 * Lua scripts of the Redis store. Each runs atomically on the server; every key it touches is
 * passed in KEYS and carries the network's hash tag, so they also work on Redis Cluster.
 */
import type { Redis, Result, ClientContext } from 'ioredis';

/**
 * samlaRecord: writes one record of a network and appends its event, only if the network exists.
 *
 * KEYS[1]  def key     (string) the network definition; nothing is written when it is missing
 * KEYS[2]  events key  (stream) the network's event log
 * KEYS[3]  data key    (hash)   field → record JSON
 * KEYS[4]  order key   (zset)   record id by time; only with mode "append"
 * ARGV[1]  mode        "put": HSET the field, overwriting (answers are editable);
 *                      "merge": like "put", but the stored record's `answers` not in the new
 *                      one are kept (two quick answers to one check-in both stay);
 *                      "append": store once by id (HSETNX) and ZADD it to KEYS[4]
 * ARGV[2]  field       hash field (the record id for "append")
 * ARGV[3]  json        the record
 * ARGV[4]  score       "append" only: sort score in ms since the epoch
 * ARGV[5..] event      stream fields, as name value pairs (type, at, actor, data)
 *
 * Returns 0 when the network does not exist, 1 when written, 2 when an "append" record with
 * this id was already stored (nothing written, no event).
 */
export const RECORD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if ARGV[1] == 'append' then
  if redis.call('HSETNX', KEYS[3], ARGV[2], ARGV[3]) == 0 then
    return 2
  end
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
elseif ARGV[1] == 'merge' then
  local rec = cjson.decode(ARGV[3])
  local old = redis.call('HGET', KEYS[3], ARGV[2])
  if old and type(rec.answers) == 'table' then
    local prev = cjson.decode(old)
    if type(prev.answers) == 'table' then
      for k, v in pairs(prev.answers) do
        if rec.answers[k] == nil then rec.answers[k] = v end
      end
    end
  end
  redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(rec))
else
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
return 1
`;

/** samlaRecord replies: written; the network does not exist; the id was already stored. */
export const RECORD_WRITTEN = 1;
export const RECORD_NO_NETWORK = 0;
export const RECORD_DUPLICATE = 2;

/**
 * samlaSnapshot: keeps a digest snapshot, the first one saved per digest key, and only the
 * newest `keep` of them.
 *
 * KEYS[1]  snapshots (hash)  digest key → snapshot JSON
 * KEYS[2]  order     (zset)  digest key by planned time
 * ARGV[1]  digest key, ARGV[2] score (ms), ARGV[3] snapshot JSON, ARGV[4] how many to keep
 *
 * Returns 1 when saved, 0 when a snapshot with this key was already there (nothing written).
 */
export const SNAPSHOT_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local old = redis.call('ZRANGE', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
for _, k in ipairs(old) do
  redis.call('HDEL', KEYS[1], k)
  redis.call('ZREM', KEYS[2], k)
end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** See RECORD_LUA. The first argument is the number of keys (3 for "put", 4 for "append"). */
    samlaRecord(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    /** See SNAPSHOT_LUA (2 keys). */
    samlaSnapshot(numKeys: 2, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/** Registers the store's scripts on a connection (idempotent). */
export function defineScripts(redis: Redis): void {
  if (typeof (redis as { samlaRecord?: unknown }).samlaRecord !== 'function') redis.defineCommand('samlaRecord', { lua: RECORD_LUA });
  if (typeof (redis as { samlaSnapshot?: unknown }).samlaSnapshot !== 'function') redis.defineCommand('samlaSnapshot', { lua: SNAPSHOT_LUA });
}
