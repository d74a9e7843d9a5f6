/**
 * The person index (issue 11): `person:<email>:seats`, a hash from network id to the person's
 * record in that network together with the network version it was written at, so that who a
 * person is (networks, municipalities, roles, name, language) is one HGETALL instead of
 * "which networks" + "their record in each" + "each network's definition".
 *
 * - It is global (outside every network's slot, like `person:<email>:networks`), so on Redis
 *   Cluster it cannot be written in the import's MULTI. It is written right after the import's
 *   EXEC, one HSET per person (each person's entry is whole), and then the generation counter
 *   (`networks:generation`) is bumped.
 * - An entry carries the version it was written at. A reader that finds a network version other
 *   than the entry's reads that network's record itself (RedisStore.personSeats), so a stale
 *   or half-rewritten index (a crash between EXEC and the index write) is never believed over
 *   the network; a person added to a network shows up once the index write reached them.
 * - Written by: imports (./store.ts writeIndexes), person forget (./personData.ts: the
 *   person's own key is deleted; the networks they were removed from are reindexed), removing the
 *   demo network (src/app/demo.ts).
 */
import { COMMAND_BATCH, type RedisClient, sendCommands } from './client.ts';
import { SamlaError } from '../../src/core/errors.ts';
import { decodePerson } from './codec.ts';
import type { Keys } from './keys.ts';

/** Index writes are sent in pipelines of this many commands. */
export const INDEX_BATCH = COMMAND_BATCH;

/** One entry's value: the stored Person JSON, unchanged, and the network version. */
export function seatValue(version: number, personJson: string): string {
  return `{"p":${personJson},"v":${version}}`;
}

/** A decoded entry; undefined when damaged (the reader then asks the network). */
export function parseSeat(json: string): { v: number; p: unknown } | undefined {
  try {
    const e = JSON.parse(json) as { v?: unknown; p?: unknown };
    return typeof e.v === 'number' && typeof e.p === 'object' && e.p !== null ? { v: e.v, p: e.p } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends index commands (each on one key, each safe to repeat: SADD, SREM, HSET, HDEL) in
 * batches of INDEX_BATCH (./client.ts sendCommands: pipelines on a single Redis, key by key on
 * a Cluster); throws INTERNAL naming `what` on a failure. Returns the replies, in order.
 */
export async function sendIndexCommands(redis: RedisClient, commands: (string | number)[][], what: string): Promise<unknown[]> {
  const replies = await sendCommands(redis, commands);
  const failed = replies.find(([err]) => err);
  if (failed) throw new SamlaError('INTERNAL', `Updating the person index of ${what} failed.`, { cause: failed[0] });
  return replies.map(([, v]) => v);
}

/**
 * Rewrites every entry of one network from what the network holds now (its `people` and meta
 * version, read in one MULTI), then bumps the generation. For writers other than the import
 * (person forget), which change a network's version without knowing its people.
 */
export async function reindexNetwork(redis: RedisClient, keys: Keys, id: string): Promise<void> {
  const replies = await redis.multi().hget(keys.meta(id), 'version').hgetall(keys.people(id)).exec();
  const failed = replies?.find(([err]) => err);
  if (!replies || failed) throw new SamlaError('INTERNAL', `Reading network "${id}" for the person index failed.`, { cause: failed?.[0] });
  const version = Number(replies[0]![1] ?? 0);
  const people = (replies[1]![1] ?? {}) as Record<string, string>;
  const commands: (string | number)[][] = Object.entries(people).map(([email, json]) => {
    const p = decodePerson(json, `${keys.people(id)} ${email}`);
    return p.removedAt ? ['hdel', keys.personSeats(email), id] : ['hset', keys.personSeats(email), id, seatValue(version, json)];
  });
  commands.push(['incr', keys.generation()]);
  await sendIndexCommands(redis, commands, `"${id}"`);
}
