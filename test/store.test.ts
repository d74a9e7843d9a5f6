/**
 * The Redis store against a real Redis: imports (atomic, idempotent, concurrent), people kept
 * across edits, records written with their events, and the key layout.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import type { NetworkDefinition, Person, StatusReport } from '../src/core/model.ts';
import { keysUnder, snapshot, testRedis, type TestRedis } from './helpers/redis.ts';
import { sampleNetwork } from './helpers/sampleNetwork.ts';

let t: TestRedis;
let store: RedisStore;
beforeAll(async () => {
  t = await testRedis();
  store = new RedisStore(t.redis, { prefix: t.prefix });
});
afterAll(async () => {
  await t.cleanup();
});

const T0 = new Date('2027-01-05T10:00:00.000Z');
const T1 = new Date('2027-01-20T10:00:00.000Z');
const T2 = new Date('2027-02-01T10:00:00.000Z');

function status(network: string, id: string, at: string, extra: Partial<StatusReport> = {}): StatusReport {
  return { id, network, municipality: '4204', email: 'Ola.Hansen@kristiansand.example.no', at, overall: 'on_track', text: id, ...extra };
}

function byEmail(people: Person[], email: string): Person | undefined {
  return people.find((p) => p.email === email);
}

async function importedEvents(id: string) {
  return (await store.events(id)).filter((e) => e.type === 'network.imported');
}

describe('importNetwork and reading back', () => {
  const id = 'read-back';

  it('stores the definition, everyone in it with their roles, and a summary', async () => {
    const def = sampleNetwork(id);
    const progress: [number, number][] = [];
    const result = await store.importNetwork(def, { now: T0, actor: 'ingrid', onProgress: (d, n) => progress.push([d, n]) });

    expect(result).toEqual({
      network: id,
      created: true,
      changed: true,
      version: 1,
      peopleAdded: expect.arrayContaining(['ingrid.fjeld@example.no', 'ola.hansen@kristiansand.example.no']),
      peopleRemoved: [],
      gatheringsMoved: [],
    });
    expect(result.peopleAdded).toHaveLength(5);
    expect(progress.at(-1)).toEqual([5, 5]);

    expect(await store.getNetwork(id)).toEqual(def);

    const people = await store.getPeople(id);
    expect(people.map((p) => p.email)).toEqual([
      'eirik.solberg@lyngdal.example.no',
      'ingrid.fjeld@example.no',
      'ola.hansen@kristiansand.example.no',
      'per.berg@kristiansand.example.no',
      'siri.lund@kristiansand.example.no',
    ]);
    expect(byEmail(people, 'ingrid.fjeld@example.no')).toMatchObject({ organiser: true, memberships: [], locale: 'en' });
    expect(byEmail(people, 'siri.lund@kristiansand.example.no')?.memberships).toEqual([
      { municipality: '4204', roles: ['styringsgruppe'], party: 'administrasjon', chair: true },
    ]);
    expect(byEmail(people, 'per.berg@kristiansand.example.no')?.memberships).toEqual([
      { municipality: '4204', roles: ['styringsgruppe'], party: 'tillitsvalgt' },
      { municipality: '4225', roles: ['styringsgruppe'], party: 'tillitsvalgt' },
    ]);
    // Locale and platform fall back to the municipality's (Lyngdal writes nynorsk).
    expect(byEmail(people, 'eirik.solberg@lyngdal.example.no')).toMatchObject({ locale: 'nn', platform: 'teams' });

    expect(await store.getPerson(id, '  SIRI.Lund@Kristiansand.example.no ')).toMatchObject({ name: 'Siri Lund' });
    expect(await store.getPerson(id, 'nobody@example.no')).toBeUndefined();

    const summary = { id, name: 'Testnettverk Agder', programme: 'Testprogram', municipalities: 2, people: 5, gatherings: 1, importedAt: T0.toISOString(), version: 1 };
    expect(await store.getSummary(id)).toEqual(summary);
    expect(await store.listNetworks()).toContainEqual(summary);

    const events = await store.events(id);
    expect(events).toEqual([
      {
        id: expect.any(String),
        type: 'network.imported',
        at: T0.toISOString(),
        actor: 'ingrid',
        data: expect.objectContaining({ version: 1, people: 5, peopleAdded: 5, peopleRemoved: 0, gatheringsMoved: [] }),
      },
    ]);
    expect(await t.redis.smembers(store.keys.personNetworks('Per.Berg@kristiansand.example.no'))).toEqual([id]);
  });

  it('writes nothing when the same definition is imported again', async () => {
    const before = await snapshot(t.redis, t.prefix);
    const again = await store.importNetwork(sampleNetwork(id), { now: T1 });
    expect(again).toMatchObject({ created: false, changed: false, version: 1, peopleAdded: [], peopleRemoved: [] });
    expect(await snapshot(t.redis, t.prefix)).toEqual(before);
    expect(await importedEvents(id)).toHaveLength(1);
    expect((await store.getSummary(id))?.importedAt).toBe(T0.toISOString());
  });

  it('answers undefined and [] for a network that does not exist', async () => {
    expect(await store.getNetwork('nope')).toBeUndefined();
    expect(await store.getSummary('nope')).toBeUndefined();
    expect(await store.getPeople('nope')).toEqual([]);
    expect(await store.getPerson('nope', 'ola.hansen@kristiansand.example.no')).toBeUndefined();
    expect(await store.listStatus('nope', '4204')).toEqual([]);
    expect(await store.listTaskCompletions('nope', 'samling-1')).toEqual([]);
    expect(await store.events('nope')).toEqual([]);
    expect((await store.listNetworks()).map((n) => n.id)).not.toContain('nope');
  });

  it('leaves out of the list a network whose index entry outlived its keys', async () => {
    await t.redis.sadd(store.keys.networks(), 'ghost');
    expect((await store.listNetworks()).map((n) => n.id)).toEqual([id]);
  });
});

describe('re-importing an edited network', () => {
  const id = 'edited';
  const edited = (): NetworkDefinition => {
    const def = sampleNetwork(id);
    const g = def.gatherings[0]!;
    g.starts = '2027-02-17T09:00';
    g.ends = '2027-02-18T15:00';
    const lyngdal = def.municipalities[1]!;
    lyngdal.members = lyngdal.members.filter((m) => m.email !== 'eirik.solberg@lyngdal.example.no');
    lyngdal.members.push({ name: 'Marit Hauge', email: 'Marit.Hauge@lyngdal.example.no', roles: ['prosjektleder'] });
    return def;
  };

  it('moves the gathering, keeps a removed person and their history, adds the new one', async () => {
    await store.importNetwork(sampleNetwork(id), { now: T0 });
    await store.recordStatus(status(id, 'eirik-1', '2027-01-10T12:00:00.000Z', { municipality: '4225', email: 'eirik.solberg@lyngdal.example.no' }));

    const result = await store.importNetwork(edited(), { now: T1 });
    expect(result).toEqual({
      network: id,
      created: false,
      changed: true,
      version: 2,
      peopleAdded: ['marit.hauge@lyngdal.example.no'],
      peopleRemoved: ['eirik.solberg@lyngdal.example.no'],
      gatheringsMoved: [{ id: 'samling-1', from: '2027-02-10T09:00', to: '2027-02-17T09:00' }],
    });

    expect((await store.getNetwork(id))?.gatherings[0]?.starts).toBe('2027-02-17T09:00');
    const eirik = await store.getPerson(id, 'eirik.solberg@lyngdal.example.no');
    expect(eirik).toMatchObject({ name: 'Eirik Solberg', memberships: [], organiser: false, removedAt: T1.toISOString() });
    expect(await store.getPerson(id, 'marit.hauge@lyngdal.example.no')).toMatchObject({
      memberships: [{ municipality: '4225', roles: ['prosjektleder'] }],
    });
    expect(await store.getPeople(id)).toHaveLength(6);
    expect((await store.listStatus(id, '4225')).map((s) => s.id)).toEqual(['eirik-1']);
    expect(await store.getSummary(id)).toMatchObject({ version: 2, people: 5, importedAt: T1.toISOString() });

    const events = await importedEvents(id);
    expect(events).toHaveLength(2);
    expect(events[1]?.data).toMatchObject({ version: 2, peopleAdded: 1, peopleRemoved: 1, gatheringsMoved: result.gatheringsMoved });

    expect(await t.redis.smembers(store.keys.personNetworks('eirik.solberg@lyngdal.example.no'))).not.toContain(id);
    expect(await t.redis.smembers(store.keys.personNetworks('marit.hauge@lyngdal.example.no'))).toEqual([id]);
  });

  it('keeps the first removal time when the same edited file is imported later', async () => {
    const again = await store.importNetwork(edited(), { now: T2 });
    expect(again).toMatchObject({ changed: false, version: 2, peopleRemoved: [] });
    expect((await store.getPerson(id, 'eirik.solberg@lyngdal.example.no'))?.removedAt).toBe(T1.toISOString());
  });

  it('gives a person who comes back their roles again and clears removedAt', async () => {
    const result = await store.importNetwork(sampleNetwork(id), { now: T2 });
    expect(result).toMatchObject({ version: 3, peopleAdded: ['eirik.solberg@lyngdal.example.no'], peopleRemoved: ['marit.hauge@lyngdal.example.no'] });
    const eirik = await store.getPerson(id, 'eirik.solberg@lyngdal.example.no');
    expect(eirik?.memberships).toEqual([{ municipality: '4225', roles: ['prosjektleder'] }]);
    expect(eirik).not.toHaveProperty('removedAt');
  });
});

describe('platform ids across imports', () => {
  const id = 'platform-ids';

  it('keeps a stored slackId when the person is edited, and an identical import stays unchanged', async () => {
    await store.importNetwork(sampleNetwork(id), { now: T0 });
    // An adapter links Ola to his Slack user (written as plain JSON, keys in another order).
    const key = store.keys.people(id);
    const ola = JSON.parse((await t.redis.hget(key, 'ola.hansen@kristiansand.example.no'))!);
    await t.redis.hset(key, 'ola.hansen@kristiansand.example.no', JSON.stringify({ slackId: 'U0OLA', ...ola }));

    expect(await store.importNetwork(sampleNetwork(id), { now: T1 })).toMatchObject({ changed: false, version: 1 });

    const def = sampleNetwork(id);
    def.municipalities[0]!.members[0]!.name = 'Ola K. Hansen';
    expect(await store.importNetwork(def, { now: T1 })).toMatchObject({ changed: true, version: 2 });
    expect(await store.getPerson(id, 'ola.hansen@kristiansand.example.no')).toMatchObject({ name: 'Ola K. Hansen', slackId: 'U0OLA' });
  });
});

describe('concurrent imports', () => {
  const id = 'racing';
  /** Two versions: A has samling-1 on the 10th and Eirik; B has it on the 24th and Marit instead. */
  const versionA = () => sampleNetwork(id);
  const versionB = () => {
    const def = sampleNetwork(id);
    def.gatherings[0]!.starts = '2027-02-24T09:00';
    def.gatherings[0]!.ends = '2027-02-24T15:00';
    def.municipalities[1]!.members[0] = { name: 'Marit Hauge', email: 'marit.hauge@lyngdal.example.no', roles: ['prosjektleder'] };
    return def;
  };

  it('leaves one whole version when ten imports of two versions race', async () => {
    const connections = Array.from({ length: 10 }, () => new Redis(t.url));
    try {
      const results = await Promise.all(
        connections.map((redis, i) =>
          new RedisStore(redis, { prefix: t.prefix }).importNetwork(i % 2 ? versionB() : versionA(), { now: new Date(T0.getTime() + i) }),
        ),
      );
      const changed = results.filter((r) => r.changed);
      const versions = changed.map((r) => r.version).sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i + 1)); // 1..n, each won by exactly one import
      expect(results.filter((r) => r.created)).toHaveLength(1);

      const def = await store.getNetwork(id);
      const summary = await store.getSummary(id);
      const people = await store.getPeople(id);
      const active = people.filter((p) => !p.removedAt).map((p) => p.email);
      expect(summary?.version).toBe(versions.length);
      expect(await importedEvents(id)).toHaveLength(versions.length);

      const isB = def?.gatherings[0]?.starts === '2027-02-24T09:00';
      expect(def).toEqual(isB ? versionB() : versionA());
      expect(active).toContain(isB ? 'marit.hauge@lyngdal.example.no' : 'eirik.solberg@lyngdal.example.no');
      expect(active).not.toContain(isB ? 'eirik.solberg@lyngdal.example.no' : 'marit.hauge@lyngdal.example.no');
      expect(active).toHaveLength(summary?.people ?? -1);
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });
});

describe('records', () => {
  const id = 'records';
  beforeAll(async () => {
    await store.importNetwork(sampleNetwork(id), { now: T0 });
  });

  it('stores a task answer with its event, and a second answer from the same person replaces it', async () => {
    const answer = {
      network: id,
      gathering: 'samling-1',
      task: 'forankring',
      municipality: '4204',
      email: 'Ola.Hansen@kristiansand.example.no',
      answer: 'not_yet' as const,
      comment: 'Styringsgruppen møtes den 4.',
      at: '2027-01-21T08:00:00.000Z',
    };
    await store.recordTaskCompletion(answer);
    await store.recordTaskCompletion({ ...answer, answer: 'done', comment: undefined, at: '2027-01-28T08:00:00.000Z' });

    expect(await store.listTaskCompletions(id, 'samling-1')).toEqual([
      { ...answer, email: 'ola.hansen@kristiansand.example.no', answer: 'done', comment: undefined, at: '2027-01-28T08:00:00.000Z' },
    ]);
    const events = (await store.events(id)).filter((e) => e.type === 'task.answered');
    expect(events.map((e) => [e.actor, e.data.answer])).toEqual([
      ['ola.hansen@kristiansand.example.no', 'not_yet'],
      ['ola.hansen@kristiansand.example.no', 'done'],
    ]);
  });

  it('stores check-ins per person and lets them be edited', async () => {
    const base = { network: id, gathering: 'samling-1', municipality: '4204', at: '2027-02-07T09:00:00.000Z' };
    await store.recordCheckin({ ...base, email: 'ola.hansen@kristiansand.example.no', answers: { attending: 'ja' } });
    await store.recordCheckin({ ...base, email: 'siri.lund@kristiansand.example.no', answers: { attending: 'usikker' } });
    await store.recordCheckin({ ...base, email: 'SIRI.LUND@kristiansand.example.no', answers: { attending: 'nei' } });
    const checkins = await store.listCheckins(id, 'samling-1');
    expect(checkins.map((c) => [c.email, c.answers.attending])).toEqual([
      ['ola.hansen@kristiansand.example.no', 'ja'],
      ['siri.lund@kristiansand.example.no', 'nei'],
    ]);
    expect((await store.events(id)).filter((e) => e.type === 'checkin.answered')).toHaveLength(3);
  });

  it('lists status reports newest first and stores a report id only once', async () => {
    await store.recordStatus(status(id, 's-feb', '2027-02-15T10:00:00.000Z'));
    await store.recordStatus(status(id, 's-jan', '2027-01-15T10:00:00.000Z'));
    await store.recordStatus(status(id, 's-mar', '2027-03-15T10:00:00.000Z'));
    await store.recordStatus(status(id, 's-feb', '2027-02-16T10:00:00.000Z', { text: 'sent twice' }));

    const all = await store.listStatus(id, '4204');
    expect(all.map((s) => s.id)).toEqual(['s-mar', 's-feb', 's-jan']);
    expect(all[1]).toMatchObject({ text: 's-feb', email: 'ola.hansen@kristiansand.example.no' });
    expect((await store.listStatus(id, '4204', 2)).map((s) => s.id)).toEqual(['s-mar', 's-feb']);
    expect(await store.listStatus(id, '4225')).toEqual([]);
    expect((await store.events(id)).filter((e) => e.type === 'status.reported')).toHaveLength(3);
  });

  it('lists reflection notes and steering meetings in time order, each id once', async () => {
    const note = { network: id, municipality: '4204', gathering: 'samling-1', email: 'ola.hansen@kristiansand.example.no', topic: 'Tema', discussed: 'Drøftet', willTry: 'Prøver', share: 'anonymised' as const };
    await store.recordReflection({ ...note, id: 'r2', at: '2027-02-20T10:00:00.000Z' });
    await store.recordReflection({ ...note, id: 'r1', at: '2027-02-18T10:00:00.000Z' });
    await store.recordReflection({ ...note, id: 'r1', at: '2027-02-18T10:00:00.000Z' });
    expect((await store.listReflections(id, '4204')).map((n) => n.id)).toEqual(['r1', 'r2']);

    const meeting = { network: id, municipality: '4204', attendees: [{ name: 'Siri Lund', party: 'administrasjon' as const }], loggedBy: 'siri.lund@kristiansand.example.no', at: '2027-03-10T10:00:00.000Z' };
    await store.recordSteeringMeeting({ ...meeting, id: 'm-mar', date: '2027-03-04' });
    await store.recordSteeringMeeting({ ...meeting, id: 'm-jan', date: '2027-01-14' });
    expect((await store.listSteeringMeetings(id, '4204')).map((m) => m.id)).toEqual(['m-jan', 'm-mar']);
    expect((await store.events(id)).filter((e) => e.type === 'steering.logged').map((e) => e.data.date)).toEqual(['2027-03-04', '2027-01-14']);
  });

  it('reads the event log in pages', async () => {
    const all = await store.events(id);
    const first = await store.events(id, { count: 2 });
    expect(first).toEqual(all.slice(0, 2));
    const rest = await store.events(id, { after: first[1]?.id });
    expect(rest).toEqual(all.slice(2));
  });

  it('refuses every record for a network that does not exist, writing nothing', async () => {
    const net = 'no-such-network';
    const before = await snapshot(t.redis, t.prefix);
    const attempts = [
      store.recordTaskCompletion({ network: net, gathering: 'g', task: 't', municipality: '4204', email: 'a@b.no', answer: 'done', at: T0.toISOString() }),
      store.recordCheckin({ network: net, gathering: 'g', municipality: '4204', email: 'a@b.no', answers: {}, at: T0.toISOString() }),
      store.recordStatus(status(net, 's1', T0.toISOString())),
      store.recordReflection({ id: 'r', network: net, municipality: '4204', email: 'a@b.no', at: T0.toISOString(), topic: '', discussed: '', willTry: '', share: 'no' }),
      store.recordSteeringMeeting({ id: 'm', network: net, municipality: '4204', date: '2027-01-01', attendees: [], loggedBy: 'a@b.no', at: T0.toISOString() }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ name: 'SamlaError', code: 'NOT_FOUND' });
    expect(await snapshot(t.redis, t.prefix)).toEqual(before);
  });
});

/** The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe('key layout', () => {
  it('computes Redis Cluster slots like Redis does', () => {
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(keySlot('hash_tag'));
  });

  it('puts every key under the prefix and each network in one slot; only the indexes are outside', async () => {
    const keys = await keysUnder(t.redis, t.prefix);
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(key.startsWith(t.prefix)).toBe(true);

    const indexes = keys.filter((k) => !k.includes('{'));
    for (const key of indexes) expect(key).toMatch(new RegExp(`^${t.prefix}(networks|networks:generation|person:[^:]+:(networks|seats))$`));

    const byNetwork = new Map<string, Set<number>>();
    for (const key of keys.filter((k) => k.includes('{'))) {
      const tag = /^[^{]*\{([^}]+)\}:/.exec(key)?.[1];
      expect(tag, key).toBeDefined();
      byNetwork.set(tag!, (byNetwork.get(tag!) ?? new Set()).add(keySlot(key)));
    }
    expect([...byNetwork.keys()].sort()).toEqual(['edited', 'platform-ids', 'racing', 'read-back', 'records']);
    for (const [network, slots] of byNetwork) expect([network, slots.size]).toEqual([network, 1]);
    expect(keys).toContain(`${t.prefix}{records}:status:4204`);
    expect(keys).toContain(`${t.prefix}{records}:tasks:samling-1`);
  });
});
