/**
 * Who sees what: organisers see their networks, a municipality's people their own records, and
 * private reflection notes only the reflection group and the project leader.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { canSeeDigest, canSeeMunicipality, canSeeReflection, visibleReflections } from '../src/core/access.ts';
import { whoAmI, type JourneyContext, type Me } from '../src/core/journeys/context.ts';
import type { ReflectionNote } from '../src/core/model.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const def = parseNetworkFile(readFileSync(new URL('../examples/network.yaml', import.meta.url), 'utf8'), 'network.yaml');
const texts = loadTexts();
let t: TestRedis;
let ctx: JourneyContext;
const people: Record<string, Me> = {};

beforeAll(async () => {
  t = await testRedis();
  const store = new RedisStore(t.redis, { prefix: t.prefix });
  await store.importNetwork(def);
  ctx = { store, texts, now: () => new Date('2027-03-01T10:00:00Z') };
  for (const email of ['ingrid.fjeld@example.no', 'ola.hansen@kristiansand.example.no', 'anne.moe@kristiansand.example.no', 'per.berg@kristiansand.example.no', 'kjetil.dahl@arendal.example.no']) {
    people[email.split('@')[0]!] = (await whoAmI(ctx, email))!;
  }
});
afterAll(async () => {
  await t.cleanup();
});

const note = (share: ReflectionNote['share']): ReflectionNote => ({
  id: share,
  network: 'agder-helse-2027',
  municipality: '4204',
  gathering: 'samling-1',
  email: 'anne.moe@kristiansand.example.no',
  at: '2027-02-18T14:00:00Z',
  topic: 'Turnus',
  discussed: 'd',
  willTry: 'w',
  share,
});

describe('who sees what', () => {
  it('shows the digest to organisers only, saying why to others', () => {
    expect(canSeeDigest(texts, people['ingrid.fjeld']!, def.id)).toEqual({ allowed: true });
    expect(canSeeDigest(texts, people['ola.hansen']!, def.id)).toEqual({ allowed: false, reason: 'Ukesoversikten er bare for arrangørene av nettverket.' });
  });

  it('lets a municipality see its own records, organisers all, and nobody another municipality’s', () => {
    expect(canSeeMunicipality(texts, people['ola.hansen']!, def.id, '4204').allowed).toBe(true);
    expect(canSeeMunicipality(texts, people['ingrid.fjeld']!, def.id, '4225').allowed).toBe(true);
    expect(canSeeMunicipality(texts, people['kjetil.dahl']!, def.id, '4204')).toEqual({ allowed: false, reason: 'Du kan bare se opplysninger om din egen kommune.' });
  });

  it('keeps private reflection notes within the reflection group and the project leader, even from organisers', () => {
    expect(canSeeReflection(texts, people['anne.moe']!, note('no')).allowed).toBe(true);
    expect(canSeeReflection(texts, people['ola.hansen']!, note('no')).allowed).toBe(true);
    expect(canSeeReflection(texts, people['per.berg']!, note('no')).allowed).toBe(false);
    expect(canSeeReflection(texts, people['ingrid.fjeld']!, note('no'))).toEqual({
      allowed: false,
      reason: "This reflection note is not shared with the network. Only the municipality's reflection group and project leader can read it.",
    });
  });

  it('shares anonymised notes with the network without their author', () => {
    const seen = visibleReflections(texts, people['kjetil.dahl']!, [note('no'), note('anonymised')]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: 'anonymised', email: '', topic: 'Turnus' });
    expect(visibleReflections(texts, people['anne.moe']!, [note('anonymised')])[0]!.email).toBe('anne.moe@kristiansand.example.no');
  });
});
