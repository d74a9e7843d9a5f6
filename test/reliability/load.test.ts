/**
 * The short version of bench/load.bench.ts: 200 requests in flight for 5 seconds against
 * `samla start` in a child process, half signed Slack /status submissions, half Teams check-in
 * answers. No errors, and every acknowledged write stored exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HEADER, deletePrefix, row, startLoadRig, summarise, type LoadRig } from '../../bench/loadRun.ts';
import { redisUrl } from '../helpers/redis.ts';
import { uniquePrefix } from './helpers.ts';

const prefix = uniquePrefix();
let rig: LoadRig | undefined;
afterAll(async () => {
  await rig?.close();
  await deletePrefix(redisUrl(), prefix);
});

describe('under load', () => {
  it('answers 200 concurrent status submissions and check-ins without an error, storing each once', async () => {
    rig = await startLoadRig({ redisUrl: redisUrl(), prefix, slackPeople: 100, teamsPeople: 100 });
    const base = await rig.run({ concurrency: 200, durationMs: 1000, baseline: true });
    const { outcomes, seconds } = await rig.run({ concurrency: 200, durationMs: 5000 });
    const verified = await rig.verify();
    const stats = [summarise('baseline', base.outcomes, base.seconds), summarise('slack', outcomes, seconds), summarise('teams', outcomes, seconds)];
    console.log(`[load] ${HEADER}\n${stats.map((s) => `[load] ${row(s)}`).join('\n')}\n[load] ${JSON.stringify(verified)}`);
    for (const s of stats) {
      expect(s.errors, s.firstErrors.join('; ')).toBe(0);
      expect(s.unavailable).toBe(0);
      expect(s.requests).toBeGreaterThan(50);
    }
    expect(verified.slack).toEqual({ acknowledged: stats[1]!.saved, stored: stats[1]!.saved, storedTwice: 0, missing: 0, storedWithoutAck: 0, unacknowledgedStored: 0 });
    expect(verified.teams).toMatchObject({ acknowledged: stats[2]!.saved, events: stats[2]!.saved, eventsBeyondAcks: 0, missingOrStale: 0 });
  }, 60_000);
});
