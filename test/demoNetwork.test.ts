/**
 * The demo network (src/app/demoNetwork.ts) says what the demo promises: on the demo clock's
 * first morning, nine days before samling 2, Kristiansand is on track while Lyngdal drifts as in
 * the domain sketch, with reasons and dates, and the scheduler starts at the demo's "now"
 * rather than replaying the history's prompts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisScheduleStore } from '../adapters/redis/scheduleStore.ts';
import type { RedisStore } from '../adapters/redis/store.ts';
import { startDemoNetwork } from '../src/app/demo.ts';
import { DemoClock } from '../src/app/demoClock.ts';
import { DEMO_NETWORK_ID, demoDefinitions, demoStart } from '../src/app/demoNetwork.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { readEnv } from '../src/app/env.ts';
import { buildAppDeps } from '../src/app/main.ts';
import type { AppDeps } from '../src/app/deps.ts';
import { reasonText } from '../src/core/lagging/reasons.ts';
import { loadRecords } from '../src/core/lagging/records.ts';
import { computeSignals } from '../src/core/lagging/signals.ts';
import { pino } from 'pino';
import { testRedis, type TestRedis } from './helpers/redis.ts';

let t: TestRedis;
let store: RedisStore;
let deps: AppDeps;
const clock = new DemoClock(() => Date.parse('2026-11-24T09:00:00Z'));

beforeAll(async () => {
  t = await testRedis();
  const app = buildAppDeps({ settings: readEnv({ REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix }), redis: t.redis, logger: pino({ level: 'silent' }), now: () => clock.now() });
  store = app.store;
  deps = app;
  await startDemoNetwork(deps, clock);
});
afterAll(async () => {
  await t.cleanup();
});

describe('the demo network', () => {
  it('is a copy of the example on Teams, with its own id, and a project-leader change in March', async () => {
    const { first, current } = demoDefinitions();
    expect(current.id).toBe(DEMO_NETWORK_ID);
    expect(current.municipalities.map((m) => [m.name, m.platform])).toEqual([
      ['Kristiansand', 'teams'],
      ['Arendal', 'teams'],
      ['Lyngdal', 'teams'],
      ['Flekkefjord', 'teams'],
    ]);
    expect(current.gatherings.map((g) => g.starts)).toEqual(['2027-02-10T09:00', '2027-05-05T09:00', '2027-10-27T09:00']);
    expect(first.municipalities.find((m) => m.id === '4207')!.members.map((p) => p.name)).toEqual(['Kari Nes']);
    expect((await store.getSummary(DEMO_NETWORK_ID))?.version).toBe(2);
  });

  it('starts the clock nine days before samling 2, and the scheduler there', async () => {
    expect(clock.now()).toEqual(demoStart());
    expect(demoStart().toISOString()).toBe('2027-04-26T08:00:00.000Z');
    const state = await new RedisScheduleStore(t.redis, t.prefix).state(DEMO_NETWORK_ID);
    expect(state.watermark).toEqual(demoStart());
    expect(state.version).toBe(2);
  });

  it('gives the signals and the digest something to say: Kristiansand on track, Lyngdal drifting', async () => {
    const def = (await store.getNetwork(DEMO_NETWORK_ID))!;
    const signals = computeSignals(def, await loadRecords(store, def), demoStart());
    const kinds = Object.fromEntries(signals.map((s) => [s.municipality.name, s.signals.map((x) => x.kind).sort()]));
    expect(kinds).toEqual({
      Kristiansand: [],
      Arendal: ['reflection_silent', 'steering_missing_party'],
      Lyngdal: ['reflection_silent', 'rosy_gap', 'status_stale', 'steering_missing_party', 'steering_silent'],
      Flekkefjord: ['no_steering_group', 'project_leader_changed', 'reflection_silent'],
    });
    const lyngdal = signals.find((s) => s.municipality.name === 'Lyngdal')!;
    const texts = loadTexts();
    expect(lyngdal.signals.map((s) => reasonText(texts, 'nb', def, s))).toContain('ingen status på 5 uker (sist 22.03.2027)');
  });

  it('starts over when loaded again, keeping nothing of what was answered in the demo', async () => {
    await store.recordStatus({ id: 'during-demo', network: DEMO_NETWORK_ID, municipality: '4225', email: 'eirik.solberg@lyngdal.example.no', at: '2027-04-27T08:00:00.000Z', text: 'Vi har møtt styringsgruppa.' });
    clock.set(new Date('2027-05-03T06:00:00Z'));
    await startDemoNetwork(deps, clock);
    expect((await store.listStatus(DEMO_NETWORK_ID, '4225')).map((s) => s.id)).toEqual(['demo-status-10', 'demo-status-9']);
    expect(clock.now()).toEqual(demoStart());
    expect(await store.networksOf('eirik.solberg@lyngdal.example.no')).toEqual([DEMO_NETWORK_ID]);
  });
});
