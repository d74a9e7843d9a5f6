/**
 * Retention of reflection notes: a network's notes are deleted SAMLA_REFLECTION_RETENTION_MONTHS
 * (default 12, read by ./env.ts) calendar months after its last gathering ends, in the network's time zone. Run by
 * every running Samla at start and every 6 hours (src/app/main.ts), and by `samla retention`.
 * Idempotent and safe in several processes at once: the deletion is one Lua script per network
 * (adapters/redis/retention.ts) that leaves a `reflections.deleted` event with the count only.
 */
import type { RedisClient } from '../../adapters/redis/client.ts';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { createKeys } from '../../adapters/redis/keys.ts';
import { deleteReflections } from '../../adapters/redis/retention.ts';
import type { NetworkDefinition } from '../core/model.ts';
import type { NetworkStore } from '../core/ports.ts';
import { gatheringSpan } from '../core/schedule.ts';

export const DEFAULT_RETENTION_MONTHS = 12;

export interface RetentionConfig {
  months: number;
}

/** What a retention in months must be, in words (after the variable or option it came from). */
export const RETENTION_MONTHS_PROBLEM = 'write a whole number of months from 1 to 240, e.g. 12';

/** A retention in months, 1–240: SAMLA_REFLECTION_RETENTION_MONTHS (./env.ts) and `samla person retention --months`. */
export const retentionMonths = z.coerce.number().int().min(1).max(240);

/** When a network's last gathering ends; undefined for a network without gatherings. */
export function networkEnd(def: NetworkDefinition): Date | undefined {
  return gatheringSpan(def)?.lastEnd;
}

/** When a network's reflection notes are due for deletion. */
export function reflectionsExpireAt(def: NetworkDefinition, months: number): Date | undefined {
  const end = networkEnd(def);
  if (!end) return undefined;
  return DateTime.fromJSDate(end, { zone: def.timezone }).plus({ months }).toJSDate();
}

export interface RetentionReport {
  at: string;
  months: number;
  deleted: number;
  networks: { network: string; expiresAt: string; deleted: number }[];
}

/** Deletes the reflection notes of every network whose retention has run out by `now`. */
export async function runRetention(redis: RedisClient, store: NetworkStore, opts: { prefix?: string; months: number; now: Date }): Promise<RetentionReport> {
  const keys = createKeys(opts.prefix);
  const report: RetentionReport = { at: opts.now.toISOString(), months: opts.months, deleted: 0, networks: [] };
  for (const summary of await store.listNetworks()) {
    const def = await store.getNetwork(summary.id);
    const expiresAt = def ? reflectionsExpireAt(def, opts.months) : undefined;
    if (!def || !expiresAt || opts.now < expiresAt) continue;
    const deleted = await deleteReflections(redis, keys, def.id, opts.now, opts.months, networkEnd(def)!);
    report.deleted += deleted;
    report.networks.push({ network: def.id, expiresAt: expiresAt.toISOString(), deleted });
  }
  return report;
}
