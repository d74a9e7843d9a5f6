/**
 * Exactly once: three schedulers on one Redis, ticking concurrently through the example
 * network's whole year, send every occurrence once; a process SIGKILLed in the middle of a
 * fan-out and a restarted one together send everything once.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { planAgenda } from '../src/core/agenda.ts';
import { occurrenceId } from '../src/core/scheduler/occurrence.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { RecordingPlatform, type RecordedCall } from './helpers/recordingPlatform.ts';
import { deleteUnder, redisUrl } from './helpers/redis.ts';
import { FakeClock, oslo, startNode, type Node } from './helpers/scheduler.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const NETWORK = 'agder-helse-2027';

let nodes: Node[] = [];
let prefix = '';
afterEach(async () => {
  for (const n of nodes) await n.runtime.close();
  if (nodes[0]) await deleteUnder(nodes[0].redis, prefix);
  for (const n of nodes) await n.redis.quit().catch(() => n.redis.disconnect());
  nodes = [];
});

function setup(importAt: string) {
  prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
  const clock = new FakeClock(oslo(importAt));
  const platforms = { slack: new RecordingPlatform('slack', clock.now), teams: new RecordingPlatform('teams', clock.now) };
  const calls = (): RecordedCall[] => [...platforms.slack.accepted, ...platforms.teams.accepted];
  return { clock, platforms, calls };
}

/** Occurrence id → state, and the message ids the scheduler recorded as sent. */
async function recorded(node: Node) {
  const k = node.runtime.keys;
  const states = await node.redis.hgetall(k.occurrences(NETWORK));
  const info = await node.redis.hgetall(k.occurrenceInfo(NETWORK));
  const messages = Object.values(info)
    .map((json) => (JSON.parse(json) as { sentRef?: { message: string } }).sentRef?.message)
    .filter((m): m is string => m !== undefined);
  return { states, messages };
}

describe('three schedulers on one Redis', () => {
  it('send every occurrence of the example network’s year exactly once', async () => {
    const { clock, platforms, calls } = setup('2027-01-05T11:00');
    const url = redisUrl();
    nodes = await Promise.all([0, 1, 2].map(() => startNode({ url, prefix, clock, platforms, batchSize: 7 })));
    const def = exampleNetwork();
    await nodes[0]!.store.importNetwork(def, { now: clock.now() });

    const items = planAgenda(def, { from: clock.now(), to: oslo('2027-12-31T00:00') });
    const expected = new Set(items.flatMap((i) => i.recipients.map((r) => occurrenceId(i.id, r.municipality, r.email))));
    expect(expected.size).toBe(220);
    const times = [...new Set(items.map((i) => i.at.getTime()))].sort((a, b) => a - b);

    let claimedNew = 0;
    const perNode = [0, 0, 0];
    for (const t of times) {
      const at = clock.set(new Date(t));
      const reports = await Promise.all(nodes.map((n) => n.runtime.tick(at)));
      claimedNew += reports.reduce((sum, r) => sum + r.networks.reduce((s, n) => s + n.enqueued, 0), 0);
      reports.forEach((r, i) => (perNode[i] = (perNode[i] ?? 0) + r.networks.reduce((s, n) => s + n.enqueued, 0)));
      await nodes[0]!.runtime.drain(10_000);
    }

    expect(perNode.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really competed
    expect(claimedNew).toBe(220); // each occurrence claimed by exactly one of the three
    expect(calls()).toHaveLength(220); // and sent exactly once
    const { states, messages } = await recorded(nodes[0]!);
    expect(new Set(Object.keys(states))).toEqual(expected);
    expect(new Set(Object.values(states))).toEqual(new Set(['sent']));
    // every platform call is the one recorded for its occurrence: none was sent twice
    expect(new Set(messages)).toEqual(new Set(calls().map((c) => c.message)));
    expect(messages).toHaveLength(220);
  });
});

describe('a process killed in the middle of a fan-out', () => {
  it('leaves the rest to the restarted process, which sends everything once', async () => {
    const { clock, platforms, calls } = setup('2027-01-19T12:00');
    const url = redisUrl();
    const node = await startNode({ url, prefix, clock });
    nodes = [node];
    await node.store.importNetwork(exampleNetwork(), { now: clock.now() });
    const at = oslo('2027-02-09T08:00');

    // the child claims 2 batches of 4, enqueues the first, and is killed before enqueueing the second
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/helpers/tickChild.ts')], {
      cwd: root,
      env: { ...process.env, REDIS_URL: url, SAMLA_REDIS_PREFIX: prefix, TICK_AT: at.toISOString(), BATCH: '4', STALL_AFTER: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never stalled: ${out} ${err}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('stalled')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${out} ${err}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).toContain('claimed 8');
    expect(out).not.toContain('done');

    const half = await recorded(node);
    expect(Object.keys(half.states)).toHaveLength(8); // claimed…
    expect(await node.runtime.queues.pending()).toBe(4); // …but only the first batch enqueued
    expect((await node.runtime.schedule.state(NETWORK)).watermark).toBeUndefined(); // the window stays open

    // the restart: a new process with workers runs its catch-up pass at start
    const restarted = await startNode({ url, prefix, clock });
    nodes.push(restarted);
    clock.set(at);
    const report = await restarted.runtime.tick(at);
    restarted.runtime.startWorkers(platforms);
    await restarted.runtime.drain(10_000);
    // 39 occurrences: the 8 claimed ones resumed, 21 more enqueued, 10 skipped (the task reminders
    // are past due by now, two older digests superseded)
    expect(report.networks[0]).toMatchObject({ enqueued: 21, resumed: 8, already: 0, skipped: 10 });

    const sent = calls();
    expect(sent).toHaveLength(29);
    const done = await recorded(restarted);
    expect(Object.values(done.states).filter((s) => s === 'sent')).toHaveLength(29);
    expect(Object.values(done.states).filter((s) => s === 'skipped')).toHaveLength(10);
    expect(new Set(done.messages)).toEqual(new Set(sent.map((c) => c.message)));
    expect((await restarted.runtime.schedule.state(NETWORK)).watermark).toEqual(new Date(at.getTime() + 1));
  });
});
