/**
 * Deleting a network's reflection notes when their retention has run out (src/app/retention.ts
 * decides when). One Lua script per network (./lua/samlaDeleteReflections.lua), so the notes of
 * all its municipalities go together with one `reflections.deleted` event that keeps only the
 * count.
 */
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { globEscape, scanKeys } from './rawKeys.ts';
import { defineScripts, withKeyCount } from './scripts.ts';

/** Deletes every reflection note of a network; returns how many there were. */
export async function deleteReflections(redis: RedisClient, keys: Keys, network: string, now: Date, months: number, networkEnded: Date): Promise<number> {
  defineScripts(redis);
  const escaped = globEscape(network);
  const found = await scanKeys(redis, keys.reflections(escaped, '*'));
  const municipalities = [...new Set(found.map((k) => k.slice(keys.reflections(network, 'x').length - 1).split(':')[0]!))].filter(Boolean);
  if (municipalities.length === 0) return 0;
  const pairs = municipalities.flatMap((m) => [keys.reflections(network, m), keys.reflectionsById(network, m)]);
  return redis.samlaDeleteReflections(...withKeyCount('samlaDeleteReflections', [keys.events(network), ...pairs]), now.toISOString(), String(months), networkEnded.toISOString());
}
