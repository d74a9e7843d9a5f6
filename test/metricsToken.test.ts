/**
 * A Prometheus scraper on another machine reads /metrics with SAMLA_METRICS_TOKEN.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIdentityStore, RedisStore } from '../adapters/redis/store.ts';
import { readEnv } from '../src/app/env.ts';

const readConfig = (env: Record<string, string>) => readEnv(env).config;
import { Metrics } from '../src/app/metrics.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { startServer, type RunningServer } from '../src/app/server.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

let t: TestRedis;
let server: RunningServer;
const TOKEN = 'a-metrics-token-0123456789';

beforeAll(async () => {
  t = await testRedis();
  const store = new RedisStore(t.redis, { prefix: t.prefix });
  const config = readConfig({ REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix, SAMLA_METRICS_TOKEN: TOKEN });
  const deps = {
    config,
    env: {},
    redisPing: () => t.redis.ping(),
    store,
    identities: new RedisIdentityStore(t.redis, { prefix: t.prefix }),
    journeys: { store, texts: loadTexts(), now: () => new Date() },
    logger: pino({ level: 'silent' }),
    metrics: new Metrics({ defaultMetrics: false }),
  };
  server = await startServer(deps as never, [], 0, '127.0.0.1');
});
afterAll(async () => {
  await server.close();
  await t.cleanup();
});

describe('metrics with a token', () => {
  it('lets a scraper from elsewhere in with the bearer token, and nobody without it', async () => {
    const base = `http://127.0.0.1:${server.port}/metrics`;
    const elsewhere = { 'x-forwarded-for': '192.0.2.2' };
    expect((await fetch(base, { headers: elsewhere })).status).toBe(403);
    expect((await fetch(base, { headers: { ...elsewhere, authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(403);
    const ok = await fetch(base, { headers: { ...elsewhere, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('samla_redis_up');
  });

  it('refuses a token too short to be a secret, naming the variable', () => {
    expect(() => readConfig({ SAMLA_METRICS_TOKEN: 'short' })).toThrow(/environment is not valid/);
  });
});
