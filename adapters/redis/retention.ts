/**
 * Deleting a network's reflection notes when their retention has run out (src/app/retention.ts
 * decides when). One Lua script per network, so the notes of all its municipalities go together
 * with one `reflections.deleted` event that keeps only the count.
 */
import type { ClientContext, Redis, Result } from 'ioredis';
import type { Keys } from './keys.ts';
import { scanKeys } from './personData.ts';

/**
 * samlaDeleteReflections: deletes reflection notes and logs how many.
 *
 * KEYS[1]    events (stream) the network's event log
 * KEYS[2..]  pairs: reflections:<m> (zset, ids by time), reflections:<m>:byid (hash, id → note)
 * ARGV[1]    now, ISO instant (the event's `at`)
 * ARGV[2]    retention in months (for the event's data)
 * ARGV[3]    the network's last gathering end, ISO (for the event's data)
 *
 * Returns the number of notes deleted (0: nothing written, no event).
 */
export const DELETE_REFLECTIONS_LUA = `
local n = 0
for i = 2, #KEYS, 2 do
  n = n + redis.call('HLEN', KEYS[i + 1])
  redis.call('DEL', KEYS[i], KEYS[i + 1])
end
if n > 0 then
  local data = cjson.encode({ count = n, months = tonumber(ARGV[2]), networkEnded = ARGV[3], reason = 'retention' })
  redis.call('XADD', KEYS[1], '*', 'type', 'reflections.deleted', 'at', ARGV[1], 'actor', 'retention', 'data', data)
end
return n
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** See DELETE_REFLECTIONS_LUA. */
    samlaDeleteReflections(numKeys: number, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

/** Deletes every reflection note of a network; returns how many there were. */
export async function deleteReflections(redis: Redis, keys: Keys, network: string, now: Date, months: number, networkEnded: Date): Promise<number> {
  if (typeof (redis as { samlaDeleteReflections?: unknown }).samlaDeleteReflections !== 'function') {
    redis.defineCommand('samlaDeleteReflections', { lua: DELETE_REFLECTIONS_LUA });
  }
  const escaped = network.replace(/[*?[\]\\]/g, '\\$&');
  const found = await scanKeys(redis, keys.reflections(escaped, '*'));
  const municipalities = [...new Set(found.map((k) => k.slice(keys.reflections(network, 'x').length - 1).split(':')[0]!))].filter(Boolean);
  if (municipalities.length === 0) return 0;
  const pairs = municipalities.flatMap((m) => [keys.reflections(network, m), keys.reflectionsById(network, m)]);
  return redis.samlaDeleteReflections(1 + pairs.length, keys.events(network), ...pairs, now.toISOString(), String(months), networkEnded.toISOString());
}
