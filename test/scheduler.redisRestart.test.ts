/**
 * A Redis crash loses nothing that was acknowledged: with the append-only file fsynced on every
 * write, the claims, the watermark and the queued delivery jobs are all there after a SIGKILL
 * and a restart, and get delivered, once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { RecordingPlatform } from './helpers/recordingPlatform.ts';
import { DurableRedis } from './helpers/redisServer.ts';
import { FakeClock, oslo, startNode, type Node } from './helpers/scheduler.ts';

const NETWORK = 'agder-helse-2027';
const PREFIX = 'samla-test:aof:';
let server: DurableRedis | undefined;
const open: Node[] = [];

afterAll(async () => {
  for (const n of open) await n.close().catch(() => {});
  await server?.destroy(); // our own server: removing its folder removes everything
});

describe('a Redis restart', () => {
  it('keeps every acknowledged claim and queued job, and delivers them after the restart', async () => {
    server = await DurableRedis.create();
    const clock = new FakeClock(oslo('2027-02-05T12:00'));
    const before = await startNode({ url: server.url, prefix: PREFIX, clock });
    open.push(before);
    await before.store.importNetwork(exampleNetwork(), { now: clock.now() });
    const at = clock.set('2027-02-09T08:00');
    const report = await before.runtime.tick(at); // check-in (10), digest (1), check-in reminder (10)
    expect(report.networks[0]!.enqueued).toBe(21);
    expect(await before.runtime.queues.pending()).toBe(21);
    await before.close();
    open.pop();

    await server.crash();
    await server.start();

    const slack = new RecordingPlatform('slack', clock.now);
    const teams = new RecordingPlatform('teams', clock.now);
    const after = await startNode({ url: server.url, prefix: PREFIX, clock });
    open.push(after);
    const states = await after.redis.hgetall(after.runtime.keys.occurrences(NETWORK));
    expect(Object.values(states)).toEqual(Array(21).fill('queued'));
    expect(await after.runtime.queues.pending()).toBe(21);
    expect((await after.runtime.schedule.state(NETWORK)).watermark).toEqual(new Date(at.getTime() + 1));

    after.runtime.startWorkers({ slack, teams });
    await after.runtime.drain(10_000);
    const sent = [...slack.accepted, ...teams.accepted];
    expect(sent).toHaveLength(21);
    expect(new Set(Object.values(await after.redis.hgetall(after.runtime.keys.occurrences(NETWORK))))).toEqual(new Set(['sent']));
    // a pass after the restart finds nothing new to send
    expect((await after.runtime.tick(at)).networks[0]).toMatchObject({ enqueued: 0, resumed: 0 });
  });
});
