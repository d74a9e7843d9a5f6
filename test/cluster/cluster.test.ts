/**
 * Samla on a real three-master Redis Cluster (issue 14), started by this file from
 * `redis-server` on free ports (test/helpers/cluster.ts) and removed afterwards.
 *
 * - REDIS_URL naming one node is detected as a Cluster, as is REDIS_CLUSTER_NODES; readiness
 *   fails for a single-node client on a cluster node and for a cluster that lost a master.
 * - The store on the Cluster: import, re-import, the person index, identities, Teams
 *   references, person export and forget (SCAN on every master), and an import whose global
 *   indexes were half-written is repaired by the next, unchanged, import.
 * - 1,000 prompts fanned out by one pass and delivered to a fake chat platform on 127.0.0.1,
 *   with the master that holds the network's slot killed and restarted mid-way: every prompt
 *   is delivered, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { FakeChatServer, HttpChatPlatform } from '../../bench/fakeChatServer.ts';
import { isCluster } from '../../adapters/redis/client.ts';
import { PersonData } from '../../adapters/redis/personData.ts';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { checkRedisReady, connectRedis, type RedisClient } from '../../src/app/redis.ts';
import { localToInstant } from '../../src/core/calendar.ts';
import type { Member, NetworkDefinition, Offset } from '../../src/core/model.ts';
import { RedisClusterServers } from '../helpers/cluster.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';
import { testConfig } from '../helpers/scheduler.ts';

let cluster: RedisClusterServers;
const opened: { disconnect(): void }[] = [];

beforeAll(async () => {
  cluster = await RedisClusterServers.start(3);
}, 60_000);

afterAll(async () => {
  for (const c of opened) c.disconnect();
  await cluster?.stop();
});

async function connect(): Promise<RedisClient> {
  const redis = await connectRedis(cluster.url);
  opened.push(redis);
  return redis;
}

/** The index of the cluster node that serves `key`'s slot. */
async function ownerOf(key: string): Promise<number> {
  for (const [i, port] of cluster.ports.entries()) {
    const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      await c.exists(key); // answers only on the owner; the others say MOVED
      return i;
    } catch {
      // not this one
    } finally {
      c.disconnect();
    }
  }
  throw new Error(`no node serves ${key}`);
}

describe('connecting to a Redis Cluster', () => {
  it('detects a cluster behind REDIS_URL naming one node, and from REDIS_CLUSTER_NODES', async () => {
    const fromUrl = await connect();
    expect(isCluster(fromUrl)).toBe(true);
    await checkRedisReady(fromUrl);
    const fromSeeds = await connectRedis({ url: 'redis://ignored:1', clusterNodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) });
    opened.push(fromSeeds);
    expect(isCluster(fromSeeds)).toBe(true);
    await fromSeeds.set('samla-test:seeds', '1');
    expect(await fromUrl.get('samla-test:seeds')).toBe('1');
  });

  it('is not ready for a single-node client on a cluster node', async () => {
    const single = new Redis(cluster.url, { maxRetriesPerRequest: 0 });
    single.on('error', () => {});
    opened.push(single);
    await expect(checkRedisReady(single)).rejects.toThrow(/Redis Cluster node/);
  });
});

describe('the store on a Redis Cluster', () => {
  const prefix = 'samla-test:store:';
  let redis: RedisClient;
  let store: RedisStore;
  beforeAll(async () => {
    redis = await connect();
    store = new RedisStore(redis, { prefix });
  });

  it('imports, re-imports and reads a network, its people and the person index', async () => {
    const def = exampleNetwork();
    const first = await store.importNetwork(def, { now: new Date('2027-01-05T10:00:00Z') });
    expect(first).toMatchObject({ created: true, changed: true, version: 1 });
    const again = await store.importNetwork(def, { now: new Date('2027-01-06T10:00:00Z') });
    expect(again).toMatchObject({ created: false, changed: false, version: 1 });
    expect((await store.listNetworks()).map((n) => n.id)).toEqual([def.id]);
    const seats = await store.personSeats('ola.hansen@kristiansand.example.no');
    expect(seats.map((s) => s.network.id)).toEqual([def.id]);
    expect(seats[0]!.person.name).toBe('Ola Hansen');
  });

  it('remembers identities both ways and Teams references, across slots', async () => {
    const identities = new RedisIdentityStore(redis, { prefix });
    await identities.remember('slack', 'U0CLUSTER', 'Ola.Hansen@kristiansand.example.no');
    expect(await identities.emailOf('slack', 'U0CLUSTER')).toBe('ola.hansen@kristiansand.example.no');
    expect(await identities.userIdOf('slack', 'ola.hansen@kristiansand.example.no')).toBe('U0CLUSTER');
    const refs = new TeamsReferenceStore(redis, { prefix });
    await refs.savePerson({ email: 'kjetil.dahl@arendal.example.no', userId: '29:kjetil', conversationId: 'a:kjetil', serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 'T1', at: '2027-01-05T10:00:00Z' } as never);
    expect(await refs.person('kjetil.dahl@arendal.example.no')).toMatchObject({ userId: '29:kjetil', conversationId: 'a:kjetil' });
  });

  it('repairs, on the next unchanged import, the global indexes an import left half-written', async () => {
    const def = exampleNetwork();
    const k = store.keys;
    const emails = ['ola.hansen@kristiansand.example.no', 'tone.aas@arendal.example.no', 'eirik.solberg@lyngdal.example.no'];
    // What a stop after EXEC leaves: some people's index keys never written, the network index too.
    for (const e of emails) {
      await redis.del(k.personNetworks(e));
      await redis.del(k.personSeats(e));
    }
    await redis.srem(k.networks(), def.id);
    const generation = await store.generation();
    const result = await store.importNetwork(def, { now: new Date('2027-01-07T10:00:00Z') });
    expect(result.changed).toBe(false);
    for (const e of emails) {
      expect(await redis.smembers(k.personNetworks(e))).toEqual([def.id]);
      expect(Object.keys(await redis.hgetall(k.personSeats(e)))).toEqual([def.id]);
    }
    expect(await redis.sismember(k.networks(), def.id)).toBe(1);
    expect(await store.generation()).not.toBe(generation); // caches learn of the repair
    // Nothing to repair: the generation stays.
    const after = await store.generation();
    await store.importNetwork(def, { now: new Date('2027-01-08T10:00:00Z') });
    expect(await store.generation()).toBe(after);
  });

  it('exports and forgets a person, finding their keys on every master', async () => {
    const data = new PersonData(redis, { prefix });
    const exported = await data.export('ola.hansen@kristiansand.example.no', new Date('2027-01-09T10:00:00Z'));
    expect(exported.networks.map((n) => n.network)).toEqual(['agder-helse-2027']);
    expect(exported.identities).toMatchObject({ slack: 'U0CLUSTER' });
    const report = await data.forget('ola.hansen@kristiansand.example.no', { now: new Date('2027-01-09T10:00:00Z') });
    expect(report.globalKeysDeleted).toBeGreaterThan(0);
    const again = await data.export('ola.hansen@kristiansand.example.no', new Date('2027-01-09T10:00:00Z'));
    expect(again.identities).toEqual({});
    expect(await redis.get(store.keys.identityByUser('slack', 'U0CLUSTER'))).toBeNull();
  });
});

const PEOPLE = 1000;
const off = (text: string): Offset => ({ text, sign: text.startsWith('-') ? -1 : 1, amount: Number(text.replace(/\D/g, '')), unit: 'd' });

/** 1,000 participants, one preparation task each, all sent at the same minute. */
function bigNetwork(): NetworkDefinition {
  const municipalities = Array.from({ length: 20 }, (_, i) => ({ id: String(4000 + i), name: `Kommune ${4000 + i}`, platform: 'slack' as const, members: [] as Member[] }));
  for (let p = 0; p < PEOPLE; p++) municipalities[p % 20]!.members.push({ name: `Deltaker ${p}`, email: `d${p}@cluster.example.no`, roles: ['deltaker'] });
  const def = exampleNetwork();
  return {
    ...def,
    id: 'cluster-load',
    organisers: [{ name: 'Org Anisator', email: 'org@cluster.example.no', platform: 'slack' }],
    municipalities,
    gatherings: [
      {
        id: 'samling-1',
        title: 'Samling 1',
        starts: '2027-09-22T09:00',
        ends: '2027-09-22T15:00',
        tasks: [{ id: 't0', title: 'Oppgave', for: ['deltaker'], send: off('-14d'), due: off('-1d') }],
      },
    ],
    checkin: { questions: [] },
  } as NetworkDefinition;
}

describe('delivering on a Redis Cluster', () => {
  it('delivers 1,000 prompts, none lost and none twice, with a master killed and restarted mid-way', async () => {
    const prefix = 'samla-test:deliver:';
    const redis = await connect();
    const store = new RedisStore(redis, { prefix });
    const fake = new FakeChatServer(5000, 0);
    await fake.start();
    const sendAt = localToInstant('2027-09-08T09:00', 'Europe/Oslo');
    const runtime = new DeliveryRuntime({ redis, store, texts: loadTexts(), prefix, clock: () => sendAt, config: testConfig({ attempts: 20, backoffMs: 100, maxBackoffMs: 1000, concurrency: 16 }) });
    try {
      await store.importNetwork(bigNetwork(), { now: localToInstant('2027-09-08T08:30', 'Europe/Oslo') });
      const report = await runtime.tick(sendAt);
      expect(report.networks[0]!.enqueued).toBe(PEOPLE);
      runtime.startWorkers({ slack: new HttpChatPlatform(fake.url) });

      // Mid-way, the master serving the network's slot (its occurrence states) dies and comes back.
      while (fake.stats.accepted < PEOPLE / 4) await new Promise((r) => setTimeout(r, 10));
      const victim = await ownerOf(store.keys.occurrences('cluster-load'));
      await cluster.kill(victim);
      await new Promise((r) => setTimeout(r, 1000));
      await cluster.start(victim);

      // The scheduler's next passes pick up anything a failed write left queued.
      const deadline = Date.now() + 90_000;
      for (;;) {
        await runtime.tick(sendAt).catch(() => undefined);
        await runtime.drain(30_000, 100).catch(() => undefined);
        const states = Object.values(await redis.hgetall(store.keys.occurrences('cluster-load')));
        if (states.length === PEOPLE && states.every((s) => s === 'sent')) break;
        if (Date.now() > deadline) throw new Error(`not all sent: ${JSON.stringify(count(states))}`);
      }
      console.log(`[cluster] delivered ${fake.stats.accepted} of ${PEOPLE}, duplicates ${fake.stats.duplicates}, node ${victim} restarted`);
      expect(fake.stats.duplicates).toBe(0);
      expect(fake.stats.accepted).toBe(PEOPLE);
    } finally {
      await runtime.close();
      await fake.close();
    }
  }, 150_000);

  it('is not ready while a master is down, and ready again when it is back', async () => {
    const redis = await connect();
    await checkRedisReady(redis);
    await cluster.kill(2);
    const until = Date.now() + 15_000;
    let failed: unknown;
    while (!failed && Date.now() < until) {
      failed = await checkRedisReady(redis).then(() => undefined, (err: unknown) => err);
      if (!failed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(String(failed)).toMatch(/./);
    await cluster.start(2);
    const back = Date.now() + 15_000;
    let ok = false;
    while (!ok && Date.now() < back) {
      ok = await checkRedisReady(redis).then(() => true, () => false);
      if (!ok) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ok).toBe(true);
  }, 60_000);
});

function count(states: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of states) out[s] = (out[s] ?? 0) + 1;
  return out;
}

