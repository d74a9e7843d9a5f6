/**
 * Redis restarted mid-load: `samla start` (child process) against a redis-server of its own with
 * the append-only file fsynced on every write (`appendonly yes`, `appendfsync always`), under 200
 * concurrent Slack status submissions and Teams check-ins. Redis is killed (SIGKILL, no
 * shutdown save) and started again while the load runs. Every write Samla acknowledged is there
 * afterwards, once; requests during the outage are told "unavailable" (never an HTTP error), and
 * Samla takes work again without a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HEADER, row, startLoadRig, summarise, type LoadRig } from '../../bench/loadRun.ts';
import { DurableRedis } from '../helpers/redisServer.ts';
import { sleep, uniquePrefix } from './helpers.ts';

let redis: DurableRedis | undefined;
let rig: LoadRig | undefined;
afterAll(async () => {
  await rig?.close();
  await redis?.destroy(); // our own server and folder
});

describe('a Redis restart under load', () => {
  it('keeps every acknowledged write, and Samla recovers by itself', async () => {
    redis = await DurableRedis.create();
    rig = await startLoadRig({ redisUrl: redis.url, prefix: uniquePrefix(), slackPeople: 100, teamsPeople: 100 });
    const warm = await rig.run({ concurrency: 200, durationMs: 1500 }); // warm-up: identities cached
    const warmSaved = (kind: string) => warm.outcomes.filter((o) => o.kind === kind && o.result === 'saved').length;
    const load = rig.run({ concurrency: 200, durationMs: 7000 });
    await sleep(2000);
    await redis.crash();
    const downAt = Date.now();
    await sleep(1500);
    await redis.start();
    const upAt = Date.now();
    const downMs = upAt - downAt;
    const { outcomes, seconds } = await load;
    const verified = await rig.verify({ faults: true });
    const slack = summarise('slack', outcomes, seconds);
    const teams = summarise('teams', outcomes, seconds);
    console.log(`[restart] Redis down ${downMs} ms during 7 s of load\n[restart] ${HEADER}\n[restart] ${row(slack)}\n[restart] ${row(teams)}\n[restart] ${JSON.stringify(verified)}`);
    console.log(`[restart] saved in the last ${((Date.now() - upAt) / 1000).toFixed(1)} s after Redis was back: slack ${outcomes.filter((o) => o.kind === 'slack' && o.result === 'saved' && (o.at ?? 0) > upAt).length}, teams ${outcomes.filter((o) => o.kind === 'teams' && o.result === 'saved' && (o.at ?? 0) > upAt).length}`);

    for (const s of [slack, teams]) {
      expect(s.errors, s.firstErrors.join('; ')).toBe(0);
      expect(s.unavailable).toBeGreaterThan(0); // the outage was noticed…
    }
    // …and both kinds of work were saved again after Redis came back, without restarting Samla.
    const savedAfter = (kind: string) => outcomes.filter((o) => o.kind === kind && o.result === 'saved' && (o.at ?? 0) > upAt + 1000).length;
    expect(savedAfter('slack')).toBeGreaterThan(0);
    expect(savedAfter('teams')).toBeGreaterThan(0);
    expect(verified.slack.missing).toBe(0);
    expect(verified.slack.storedTwice).toBe(0);
    expect(verified.slack.unacknowledgedStored).toBe(0);
    expect(verified.slack.acknowledged).toBe(warmSaved('slack') + slack.saved);
    expect(verified.teams.missingOrStale).toBe(0);
    expect(verified.teams.acknowledged).toBe(warmSaved('teams') + teams.saved);
    expect((await fetch(`${rig.base}/readyz`)).status).toBe(200);
  }, 60_000);
});
