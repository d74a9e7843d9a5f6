/**
 * `samla start`: the service as `npm start` runs it, on a free port, against the real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_NETWORK } from '../src/app/main.ts';
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
  it('loads the demo network when none exists, serves health, the endpoints, the chat and the dashboard, and stops cleanly', async () => {
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
        // No chat platform is configured: demo mode, with the local chat and the dashboard on localhost.
        checks.chat = (await fetch(`${url}/chat`)).status;
        checks.dashboard = (await fetch(`${url}/dashboard`)).status;
      },
    });
    expect(stderr).toContain('Samla stopped.');
    expect(code).toBe(0);
    expect(stdout).toContain('Loaded the demo network (agder-helse-demo)');
    expect(stdout).toContain('Slack:     off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)');
    expect(stdout).toContain('/chat  (pick who you are');
    expect(stdout).toContain('/api/messages  (anonymous: this machine only; set TEAMS_APP_ID and TEAMS_APP_PASSWORD');
    // The demo clock, not the real one: nine days before samling 2.
    expect(stdout).toContain('Demo clock: 2027-04-26 10:00 (Europe/Oslo)');
    expect(stdout).toMatch(/2027-04-27 09:00 {2}task_reminder/);
    expect(checks).toEqual({ health: { ok: true }, ready: 200, teams: 400, chat: 200, dashboard: 200 });
    const networks = await t.redis.smembers(`${t.prefix}networks`);
    expect(networks).toEqual(['agder-helse-demo']);
  });

  it('loads the file given with --file instead of the demo, on the real clock', async () => {
    const t2 = await testRedis();
    let stdout = '';
    try {
      const code = await main(['start', '--port', '0', '--file', EMBEDDED_NETWORK], {
        env: { REDIS_URL: t2.url, SAMLA_REDIS_PREFIX: t2.prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000' },
        stdout: { write: (s: string) => void (stdout += s) },
        stderr: { write: () => {} },
        now: () => new Date('2027-01-05T10:00:00Z'),
        untilStopped: async () => {},
      });
      expect(code).toBe(0);
      expect(stdout).toContain('Loaded Læringsnettverk helse og omsorg Agder 2027 (agder-helse-2027), version 1.');
      expect(stdout).not.toContain('demo network');
      expect(stdout).toMatch(/2027-01-20 09:00 {2}task/);
      expect(await t2.redis.smembers(`${t2.prefix}networks`)).toEqual(['agder-helse-2027']);
    } finally {
      await t2.cleanup();
    }
  });

  it('names the Teams app in the banner when TEAMS_APP_ID is set, never "anonymous"', async () => {
    const t2 = await testRedis();
    let stdout = '';
    try {
      const appId = '11111111-2222-3333-4444-555555555555';
      const code = await main(['start', '--port', '0', '--file', EMBEDDED_NETWORK], {
        env: { REDIS_URL: t2.url, SAMLA_REDIS_PREFIX: t2.prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000', TEAMS_APP_ID: appId, TEAMS_APP_PASSWORD: 'a-client-secret' },
        stdout: { write: (s: string) => void (stdout += s) },
        stderr: { write: () => {} },
        now: () => new Date('2027-01-05T10:00:00Z'),
        untilStopped: async () => {},
      });
      expect(code).toBe(0);
      expect(stdout).toContain(`/api/messages  (app ${appId}; every Bot Framework token is checked)`);
      expect(stdout).not.toContain('anonymous');
    } finally {
      await t2.cleanup();
    }
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
