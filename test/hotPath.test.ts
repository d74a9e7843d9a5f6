/**
 * The hot path of every click (issue 11): definitions cached per process, the person index,
 * and `Me` kept while the generation stays. Two Samla processes are played by two stores on
 * connections of their own: what one imports or forgets, the other sees at its next request.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PersonData } from '../adapters/redis/personData.ts';
import { RedisIdentityStore, RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { IdentityResolver } from '../src/core/dispatch/identity.ts';
import { whoAmI, type JourneyContext } from '../src/core/journeys/context.ts';
import type { NetworkDefinition } from '../src/core/model.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const EXAMPLE = new URL('../examples/network.yaml', import.meta.url);
const example = (): NetworkDefinition => parseNetworkFile(readFileSync(EXAMPLE, 'utf8'), 'network.yaml');
const OLA = 'ola.hansen@kristiansand.example.no';
const KJETIL = 'kjetil.dahl@arendal.example.no';
const NOW = new Date('2027-01-25T10:00:00Z');
const texts = loadTexts();
const open: { t: TestRedis; conns: Redis[] }[] = [];

/** Two "processes": a store each, on connections of their own, under one prefix. */
async function twoProcesses() {
  const t = await testRedis();
  const connA = t.redis.duplicate();
  const connB = t.redis.duplicate();
  open.push({ t, conns: [connA, connB] });
  const a = new RedisStore(connA, { prefix: t.prefix });
  const b = new RedisStore(connB, { prefix: t.prefix });
  return { t, a, b, connB };
}

/** The example with Ola no longer project leader, and Kristiansand renamed. */
function edited(): NetworkDefinition {
  const def = example();
  const k = def.municipalities.find((m) => m.id === '4204')!;
  k.name = 'Kristiansand kommune';
  k.members.find((p) => p.email === OLA)!.roles = ['kontaktperson'];
  return def;
}

afterAll(async () => {
  for (const { t, conns } of open) {
    for (const c of conns) c.disconnect();
    await t.cleanup();
  }
});

describe('network definitions across processes', () => {
  let p: Awaited<ReturnType<typeof twoProcesses>>;
  beforeEach(async () => {
    p = await twoProcesses();
    await p.a.importNetwork(example(), { now: NOW });
  });

  it('another process sees an import at its next read: getNetwork, the person index and the generation', async () => {
    const before = await p.b.generation();
    expect((await p.b.getNetwork('agder-helse-2027'))!.municipalities.find((m) => m.id === '4204')!.name).toBe('Kristiansand');
    const seatsBefore = await p.b.personSeats(OLA);
    expect(seatsBefore.map((s) => s.person.memberships[0]!.roles)).toEqual([['prosjektleder', 'kontaktperson']]);

    await p.a.importNetwork(edited(), { now: NOW });

    expect(await p.b.generation()).not.toBe(before);
    expect((await p.b.getNetwork('agder-helse-2027'))!.municipalities.find((m) => m.id === '4204')!.name).toBe('Kristiansand kommune');
    const seats = await p.b.personSeats(OLA);
    expect(seats.map((s) => [s.network.municipalities.find((m) => m.id === '4204')!.name, s.person.memberships[0]!.roles])).toEqual([
      ['Kristiansand kommune', ['kontaktperson']],
    ]);
  });

  it('a person removed from the file is gone from the index; one added shows up', async () => {
    const def = example();
    const k = def.municipalities.find((m) => m.id === '4204')!;
    k.members = k.members.filter((m) => m.email !== OLA);
    k.members.push({ name: 'Nina Ny', email: 'nina.ny@kristiansand.example.no', roles: ['prosjektleder'] });
    expect(await p.b.personSeats('nina.ny@kristiansand.example.no')).toEqual([]);
    await p.a.importNetwork(def, { now: NOW });
    expect(await p.b.personSeats(OLA)).toEqual([]);
    expect(await p.b.networksOf(OLA)).toEqual([]);
    expect((await p.b.personSeats('Nina.Ny@kristiansand.example.no')).map((s) => s.person.name)).toEqual(['Nina Ny']);
  });

  it('hands out frozen definitions, so no caller can change what the next one gets', async () => {
    const def = (await p.b.getNetwork('agder-helse-2027'))!;
    expect(() => {
      (def.municipalities[0] as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect((await p.b.getNetwork('agder-helse-2027'))!.municipalities[0]!.name).not.toBe('x');
  });

  it('believes the network, not an index entry from an older version (an import that stopped before its index write)', async () => {
    await p.b.personSeats(OLA); // caches the definition at version 1
    // What an import leaves behind when it stops between EXEC and the index write: the network
    // at version 2, the index still at version 1.
    const entry = (await p.connB.hget(p.a.keys.personSeats(OLA), 'agder-helse-2027'))!;
    await p.a.importNetwork(edited(), { now: NOW });
    await p.connB.hset(p.a.keys.personSeats(OLA), 'agder-helse-2027', entry.replace('"v":2', '"v":1'));
    const fresh = new RedisStore(p.connB.duplicate(), { prefix: p.t.prefix, quitOnClose: true });
    const seats = await fresh.personSeats(OLA);
    await fresh.close();
    expect(seats[0]!.network.municipalities.find((m) => m.id === '4204')!.name).toBe('Kristiansand kommune');
    expect(seats[0]!.person.memberships[0]!.roles).toEqual(['kontaktperson']);
  });

  it('finds and indexes a person imported before the index existed', async () => {
    await p.connB.del(p.a.keys.personSeats(KJETIL));
    expect((await p.b.personSeats(KJETIL)).map((s) => s.person.name)).toEqual(['Kjetil Dahl']);
    expect(await p.connB.hexists(p.a.keys.personSeats(KJETIL), 'agder-helse-2027')).toBe(1);
  });

  it('after a person is forgotten, no process shows their name in the definition it hands out', async () => {
    const ofKjetil = async () => (await p.b.personSeats(KJETIL))[0]!.network.municipalities.flatMap((m) => m.members.map((x) => x.email));
    expect(await ofKjetil()).toContain(OLA);
    await new PersonData(p.t.redis, { prefix: p.t.prefix }).forget(OLA, { now: NOW });
    expect(await ofKjetil()).not.toContain(OLA);
    expect((await p.b.getNetwork('agder-helse-2027'))!.municipalities.flatMap((m) => m.members.map((x) => x.email))).not.toContain(OLA);
    expect(await p.b.personSeats(OLA)).toEqual([]);
    expect(await p.connB.exists(p.a.keys.personSeats(OLA))).toBe(0);
  });
});

describe('who is clicking, across processes', () => {
  it('a process that knew someone sees the roles another process imported at their next click', async () => {
    const p = await twoProcesses();
    await p.a.importNetwork(example(), { now: NOW });
    const ctx: JourneyContext = { store: p.b, texts, now: () => NOW };
    const identities = new RedisIdentityStore(p.connB, { prefix: p.t.prefix });
    await identities.remember('slack', 'U0OLA', OLA);
    const resolver = new IdentityResolver(ctx, identities);
    const directory = { lookup: async () => undefined };
    const roles = async () => {
      const who = await resolver.identify('slack', { id: 'U0OLA' }, directory);
      if (who.kind !== 'known') throw new Error('Ola is not known');
      return who.me.seats.map((s) => [s.municipality.name, s.membership.roles]);
    };
    expect(await roles()).toEqual([['Kristiansand', ['prosjektleder', 'kontaktperson']]]);
    expect(await roles()).toEqual([['Kristiansand', ['prosjektleder', 'kontaktperson']]]);

    await p.a.importNetwork(edited(), { now: NOW });
    expect(await roles()).toEqual([['Kristiansand kommune', ['kontaktperson']]]);
    // The same answer as asking the store afresh.
    expect((await whoAmI(ctx, OLA))!.seats.map((s) => s.membership.roles)).toEqual([['kontaktperson']]);
  });
});
