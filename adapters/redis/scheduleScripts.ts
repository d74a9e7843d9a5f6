/**
 * Lua scripts of the scheduler's store (./scheduleStore.ts). Each runs atomically; every key a
 * script touches is passed in KEYS and carries the network's hash tag, so they work on Redis
 * Cluster too. State counts (`occ:counts`) change in the same script as the state, so
 * `samla agenda` can show them without reading every occurrence.
 */
import type { ClientContext, Redis, Result } from 'ioredis';

/**
 * samlaOccClaim: claims occurrences, first writer wins.
 *
 * KEYS[1]  occ        (hash)   occurrence id → state
 * KEYS[2]  counts     (hash)   `<item>|<state>` and `<item>|skipped:<reason>` → count
 * KEYS[3]  info       (hash)   occurrence id → details JSON
 * KEYS[4]  events     (stream) the network's event log
 * ARGV[1]  now        ISO instant, for the events
 * ARGV[2..] per occurrence, 6 values:
 *          id, item id, state ("queued" or "skipped"), reason ("" or a skip reason),
 *          info JSON ("" for none), event data JSON ("" for no `prompt.skipped` event)
 *
 * Returns one reply per occurrence: "new" when this call created its record, else the state it
 * already had (nothing changed for it).
 */
export const CLAIM_LUA = `
local out = {}
local n = 0
for i = 2, #ARGV, 6 do
  local id, item, state, reason, info, event = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  n = n + 1
  local cur = redis.call('HGET', KEYS[1], id)
  if cur then
    out[n] = cur
  else
    redis.call('HSET', KEYS[1], id, state)
    redis.call('HINCRBY', KEYS[2], item .. '|' .. state, 1)
    if reason ~= '' then redis.call('HINCRBY', KEYS[2], item .. '|' .. state .. ':' .. reason, 1) end
    if info ~= '' then redis.call('HSET', KEYS[3], id, info) end
    if event ~= '' then
      redis.call('XADD', KEYS[4], '*', 'type', 'prompt.skipped', 'at', ARGV[1], 'actor', 'scheduler', 'data', event)
    end
    out[n] = 'new'
  end
end
return out
`;

/**
 * samlaOccTransition: moves one occurrence from one of the allowed states to a new one.
 *
 * KEYS[1..4] as samlaOccClaim (occ, counts, info, events)
 * ARGV[1]  occurrence id
 * ARGV[2]  agenda item id (for the counts)
 * ARGV[3]  allowed current states, comma-separated; "-" stands for "no record yet"
 * ARGV[4]  the new state (may equal the current one: only info and event are written)
 * ARGV[5]  reason counted as `<item>|<state>:<reason>` ("" for none)
 * ARGV[6]  info JSON to store ("" keeps what is there)
 * ARGV[7]  event type ("" for no event), ARGV[8] event time, ARGV[9] event data JSON
 *
 * Returns "ok" when moved, else the current state ("-" when there is no record).
 */
export const TRANSITION_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local key = cur or '-'
local allowed = false
for s in string.gmatch(ARGV[3], '[^,]+') do
  if s == key then allowed = true end
end
if not allowed then return key end
if cur ~= ARGV[4] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  if cur then redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|' .. cur, -1) end
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|' .. ARGV[4], 1)
  if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|' .. ARGV[4] .. ':' .. ARGV[5], 1) end
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[6]) end
if ARGV[7] ~= '' then
  redis.call('XADD', KEYS[4], '*', 'type', ARGV[7], 'at', ARGV[8], 'actor', 'scheduler', 'data', ARGV[9])
end
return 'ok'
`;

/**
 * samlaScheduleAdvance: records a complete pass, never moving the watermark backwards.
 *
 * KEYS[1]  schedule (hash) watermark (ms), version, lastTick (ISO)
 * ARGV[1]  the new watermark, ms since the epoch
 * ARGV[2]  the network version the pass planned with
 * ARGV[3]  the pass's instant, ISO
 *
 * Returns 1 when written, 0 when the stored watermark was later (nothing written).
 */
export const ADVANCE_LUA = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'watermark') or '-1')
if tonumber(ARGV[1]) >= cur then
  redis.call('HSET', KEYS[1], 'watermark', ARGV[1], 'version', ARGV[2], 'lastTick', ARGV[3])
  return 1
end
return 0
`;

/**
 * samlaPace: per-conversation pacing, a lock that expires.
 *
 * KEYS[1]  pace key (string)
 * ARGV[1]  interval in ms
 *
 * Returns 0 when the caller may send now (the lock is taken for the interval), else the ms
 * until the lock expires.
 */
export const PACE_LUA = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** See CLAIM_LUA (4 keys). */
    samlaOccClaim(numKeys: 4, ...keysAndArgs: string[]): Result<string[], Context>;
    /** See TRANSITION_LUA (4 keys). */
    samlaOccTransition(numKeys: 4, ...keysAndArgs: string[]): Result<string, Context>;
    /** See ADVANCE_LUA (1 key). */
    samlaScheduleAdvance(numKeys: 1, ...keysAndArgs: string[]): Result<number, Context>;
    /** See PACE_LUA (1 key). */
    samlaPace(numKeys: 1, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

/** Registers the scheduler's scripts on a connection (idempotent). */
export function defineScheduleScripts(redis: Redis): void {
  if (typeof (redis as { samlaOccClaim?: unknown }).samlaOccClaim === 'function') return;
  redis.defineCommand('samlaOccClaim', { lua: CLAIM_LUA });
  redis.defineCommand('samlaOccTransition', { lua: TRANSITION_LUA });
  redis.defineCommand('samlaScheduleAdvance', { lua: ADVANCE_LUA });
  redis.defineCommand('samlaPace', { lua: PACE_LUA });
}
