/**
 * What the lagging features keep in the Redis store: project-leader changes found by imports
 * (apart from the event log), steering-group nudges (once per id, newest first, with an event),
 * digest snapshots (the first per week wins, ordered by the digest's planned time, the oldest
 * dropped) and who cannot be reached (one hash per network, shared by every platform).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_SNAPSHOTS_KEPT, RedisStore } from '../adapters/redis/store.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';
import { sampleNetwork } from './helpers/sampleNetwork.ts';

let t: TestRedis;
let store: RedisStore;
const NET = 'lagging-store';
beforeAll(async () => {
  t = await testRedis();
  store = new RedisStore(t.redis, { prefix: t.prefix });
  await store.importNetwork(sampleNetwork(NET), { now: new Date('2027-01-05T10:00:00Z') });
});
afterAll(async () => {
  await t.cleanup();
});

describe('lagging records in the store', () => {
  it('keeps project-leader changes from imports in their own list', async () => {
    const def = sampleNetwork(NET);
    def.municipalities[0]!.members[0]!.roles = ['kontaktperson'];
    def.municipalities[0]!.members.push({ name: 'Nina Ny', email: 'Nina.Ny@kristiansand.example.no', roles: ['prosjektleder'] });
    await store.importNetwork(def, { now: new Date('2027-03-01T10:00:00Z') });
    expect(await store.listLeaderChanges(NET)).toEqual([
      { municipality: '4204', at: '2027-03-01T10:00:00.000Z', from: ['ola.hansen@kristiansand.example.no'], to: ['nina.ny@kristiansand.example.no'] },
    ]);
    await store.importNetwork(def, { now: new Date('2027-03-02T10:00:00Z') }); // unchanged: nothing more
    expect(await store.listLeaderChanges(NET)).toHaveLength(1);
  });

  it('records a nudge once per id, lists them newest first, and logs nudge.sent', async () => {
    const nudge = (id: string, level: 'prosjektleder' | 'steering', at: string) => ({ id, municipality: '4225', level, at, signals: ['status_stale' as const] });
    await store.recordNudge(NET, nudge('n1', 'prosjektleder', '2027-03-01T09:00:00.000Z'));
    await store.recordNudge(NET, { ...nudge('n2', 'steering', '2027-03-08T09:00:00.000Z'), channel: '19:x@thread.tacv2' });
    await store.recordNudge(NET, nudge('n2', 'steering', '2027-03-08T09:05:00.000Z')); // a second DM of the same nudge
    expect((await store.listNudges(NET, '4225')).map((n) => [n.id, n.level, n.at])).toEqual([
      ['n2', 'steering', '2027-03-08T09:00:00.000Z'],
      ['n1', 'prosjektleder', '2027-03-01T09:00:00.000Z'],
    ]);
    expect(await store.listNudges(NET, '4225', 1)).toHaveLength(1);
    expect(await store.listNudges(NET, '4204')).toEqual([]);
    const events = (await store.events(NET)).filter((e) => e.type === 'nudge.sent');
    expect(events.map((e) => e.data)).toEqual([
      { id: 'n1', municipality: '4225', level: 'prosjektleder', signals: ['status_stale'] },
      { id: 'n2', municipality: '4225', level: 'steering', signals: ['status_stale'], channel: '19:x@thread.tacv2' },
    ]);
  });

  it('keeps digest snapshots: the first per week, the newest before a time, and only the last few', async () => {
    expect(await store.lastDigestSnapshot(NET)).toBeUndefined();
    const week = (n: number) => ({ key: `w${n}`, at: new Date(Date.UTC(2027, 0, 4 + 7 * n, 7)).toISOString(), snapshot: { '4204': [n % 2 ? ('status_stale' as const) : ('steering_silent' as const)] } });
    await store.saveDigestSnapshot(NET, week(1));
    await store.saveDigestSnapshot(NET, { ...week(1), snapshot: {} }); // the week's second organiser: the first snapshot stays
    expect(await store.lastDigestSnapshot(NET)).toEqual(week(1));
    await store.saveDigestSnapshot(NET, week(2));
    expect((await store.lastDigestSnapshot(NET))?.key).toBe('w2');
    expect((await store.lastDigestSnapshot(NET, new Date(week(2).at)))?.key).toBe('w1');
    for (let n = 3; n <= DIGEST_SNAPSHOTS_KEPT + 3; n++) await store.saveDigestSnapshot(NET, week(n));
    expect(await store.lastDigestSnapshot(NET, new Date(week(4).at))).toBeUndefined(); // w1..w3 dropped
    expect((await store.lastDigestSnapshot(NET, new Date(week(5).at)))?.key).toBe('w4');
  });

  it('keeps who cannot be reached per network, for every platform, until cleared', async () => {
    await store.markUnreachable([NET], { email: 'Lars.Eide@Flekkefjord.example.no', name: 'Lars Eide', platform: 'slack', reason: 'users_not_found', at: '2027-03-01T09:00:00Z' });
    await store.markUnreachable([NET, 'another-network'], { email: 'eirik@lyngdal.example.no', platform: 'teams', reason: 'bot_not_in_roster', detail: '403', at: '2027-03-01T09:00:00Z' });
    expect((await store.listUnreachable(NET)).map((u) => [u.email, u.platform, u.reason])).toEqual([
      ['eirik@lyngdal.example.no', 'teams', 'bot_not_in_roster'],
      ['lars.eide@flekkefjord.example.no', 'slack', 'users_not_found'],
    ]);
    await store.clearUnreachable([NET, 'another-network'], 'EIRIK@lyngdal.example.no');
    expect((await store.listUnreachable(NET)).map((u) => u.email)).toEqual(['lars.eide@flekkefjord.example.no']);
    expect(await store.listUnreachable('another-network')).toEqual([]);
  });
});
