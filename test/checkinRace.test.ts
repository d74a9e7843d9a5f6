/**
 * Two quick clicks on different check-in questions (in Slack, each button is its own request,
 * possibly to another process) must both be kept: the merge happens atomically in Redis.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { answerCheckin } from '../src/core/journeys/checkin.ts';
import { whoAmI, type JourneyContext } from '../src/core/journeys/context.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const def = parseNetworkFile(readFileSync(new URL('../examples/network.yaml', import.meta.url), 'utf8'), 'network.yaml');
let t: TestRedis;
let a: JourneyContext;
let b: JourneyContext;
const second: { quit(): Promise<unknown> }[] = [];

beforeAll(async () => {
  t = await testRedis();
  const store = new RedisStore(t.redis, { prefix: t.prefix });
  await store.importNetwork(def);
  const other = t.redis.duplicate();
  second.push(other);
  const now = () => new Date('2027-05-03T10:00:00Z');
  a = { store, texts: loadTexts(), now };
  b = { store: new RedisStore(other, { prefix: t.prefix }), texts: loadTexts(), now }; // as if another process
});
afterAll(async () => {
  for (const c of second) await c.quit();
  await t.cleanup();
});

describe('check-in answers clicked at the same time', () => {
  it('keeps both answers, every time', async () => {
    const tone = (await whoAmI(a, 'tone.aas@arendal.example.no'))!;
    const payload = { a: 'checkin.answer' as const, n: def.id, g: 'samling-2', m: '4203' };
    for (let i = 0; i < 20; i++) {
      const coming = i % 2 ? 'ja' : 'usikker';
      await Promise.all([answerCheckin(a, tone, payload, { attending: coming }), answerCheckin(b, tone, payload, { prepared: 'delvis' })]);
      const [stored] = (await a.store.listCheckins(def.id, 'samling-2')).filter((c) => c.email === 'tone.aas@arendal.example.no');
      expect(stored!.answers).toMatchObject({ attending: coming, prepared: 'delvis' });
    }
  });
});
