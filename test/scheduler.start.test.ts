/**
 * `startScheduler`, as the composition root runs it: a catch-up pass at start, a pass every
 * `tickEveryMs`, delivery through the given platforms, and a graceful stop.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { startScheduler, type RunningScheduler } from '../src/app/scheduler.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { RecordingPlatform } from './helpers/recordingPlatform.ts';
import { connectTestRedis, deleteUnder } from './helpers/redis.ts';
import { FakeClock, oslo, testConfig } from './helpers/scheduler.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startScheduler', () => {
  it('catches up at start, then ticks on its own, and stops cleanly', async () => {
    const redis = await connectTestRedis();
    const prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
    const clock = new FakeClock(oslo('2027-01-15T10:00'));
    const store = new RedisStore(redis, { prefix });
    await store.importNetwork(exampleNetwork(), { now: clock.now() });
    const slack = new RecordingPlatform('slack', clock.now);
    const teams = new RecordingPlatform('teams', clock.now);
    let scheduler: RunningScheduler | undefined;
    cleanup = async () => {
      await scheduler?.stop();
      await deleteUnder(redis, prefix);
      await redis.quit();
    };

    clock.set('2027-01-20T10:00'); // Samla was down when the task went out at 09:00
    scheduler = await startScheduler({ redis, store, platforms: { slack, teams }, clock: clock.now, tickEveryMs: 30, prefix, config: testConfig() });
    // the catch-up pass at start: the 8 task messages and the digest of Monday 2027-01-18
    await until(() => slack.accepted.length + teams.accepted.length === 9);

    clock.set('2027-01-25T08:00'); // the next Monday digest; the timer's pass finds it
    await until(() => slack.to('ingrid.fjeld@example.no').length === 2);
    await scheduler.stop();
    await scheduler.stop(); // idempotent
    expect(await scheduler.tick()).toBeUndefined(); // no passes after stop
  });
});
