/**
 * `samla start`: the service as `npm start` runs it, on a free port, against the real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis();
});
afterAll(async () => {
  await t.cleanup();
});

describe('samla start', () => {
  it('loads the embedded network when none exists, serves health and the endpoints, and stops cleanly', async () => {
    let stdout = '';
    let stderr = '';
    const checks: Record<string, unknown> = {};
    const code = await main(['start', '--port', '0'], {
      env: { REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000' },
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
      now: () => new Date('2027-01-05T10:00:00Z'),
      untilStopped: async () => {
        const url = /running on (http:\/\/localhost:\d+)/.exec(stdout)![1]!;
        checks.health = await (await fetch(`${url}/healthz`)).json();
        checks.ready = (await fetch(`${url}/readyz`)).status;
        // Teams answers on its endpoint (anonymous here): a malformed activity is refused, not crashed on.
        checks.teams = (await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
      },
    });
    expect(stderr).toContain('Samla stopped.');
    expect(code).toBe(0);
    expect(stdout).toContain('Loaded Læringsnettverk helse og omsorg Agder 2027 (agder-helse-2027), version 1.');
    expect(stdout).toContain('Slack: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)');
    expect(stdout).toMatch(/2027-01-20 09:00 {2}task/);
    expect(checks).toEqual({ health: { ok: true }, ready: 200, teams: 400 });
    const networks = await t.redis.smembers(`${t.prefix}networks`);
    expect(networks).toEqual(['agder-helse-2027']);
  });

  it('exits 1 with advice when Redis does not answer', async () => {
    let stderr = '';
    const code = await main(['start', '--port', '0'], {
      env: { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' },
      stdout: { write: () => {} },
      stderr: { write: (s: string) => void (stderr += s) },
      untilStopped: async () => {},
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot reach Redis');
  });
});
