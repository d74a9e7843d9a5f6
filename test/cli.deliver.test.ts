/**
 * `samla tick --deliver` and `samla deliveries retry --deliver` send through the platforms the
 * environment configures (here Slack, against the loopback fake Slack Web API), with no
 * platforms handed in by the caller: the way `bin/samla.js` runs them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/slackApi.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';
import { BOT_TOKEN, SIGNING_SECRET, USERS } from './slack/harness.ts';

const EXAMPLE = path.join(fileURLToPath(new URL('..', import.meta.url)), 'examples/network.yaml');

let t: TestRedis;
let fake: FakeSlackApi;
beforeAll(async () => {
  t = await testRedis();
  fake = await startFakeSlackApi();
  for (const u of Object.values(USERS)) fake.users.set(u.id, { ...u });
});
afterAll(async () => {
  await fake.close();
  await t.cleanup();
});

async function samla(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: {
      REDIS_URL: t.url,
      SAMLA_REDIS_PREFIX: t.prefix,
      LOG_LEVEL: 'silent',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: fake.apiUrl,
      SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0',
      SAMLA_DELIVERY_BACKOFF_MS: '50',
      SAMLA_NUDGES: 'off',
    },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    now: () => new Date('2027-01-05T10:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('--deliver with Slack configured in the environment', () => {
  it('tick --deliver sends the due prompts to Slack, and deliveries retry --deliver sends a failed one again', async () => {
    expect((await samla(['network', 'import', EXAMPLE])).code).toBe(0);
    const r = await samla(['tick', '--at', '2027-01-20T09:00', '--network', 'agder-helse-2027', '--deliver', '--timeout', '60']);
    expect(r.stderr).not.toContain('No chat platform is configured');
    expect(r.code).toBe(0);
    // Ola and Per are in the fake workspace: their task DMs went out through chat.postMessage.
    const posted = fake.calls('chat.postMessage');
    expect(posted.length).toBeGreaterThanOrEqual(2);
    expect(posted.every((c) => c.token === BOT_TOKEN)).toBe(true);
    const dmOpened = fake.calls('conversations.open').map((c) => c.args.users);
    expect(dmOpened).toEqual(expect.arrayContaining([USERS.ola.id, USERS.per.id]));
    expect(r.stdout).toMatch(/agder-helse-2027: delivered from the queue: [1-9]\d* sent/);

    // Someone not in the workspace failed; once they join, a retry from the CLI reaches them.
    const failed = JSON.parse((await samla(['deliveries', 'failed', '--json'])).stdout) as { occurrence: string; email: string; platform: string }[];
    const slackFailed = failed.filter((f) => f.platform === 'slack');
    expect(slackFailed.length).toBeGreaterThan(0);
    const one = slackFailed[0]!;
    fake.users.set('U0JOINED', { id: 'U0JOINED', email: one.email });
    const before = fake.calls('chat.postMessage').length;
    const retry = await samla(['deliveries', 'retry', one.occurrence, '--deliver', '--timeout', '60', '--json']);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout).states).toEqual([{ occurrence: one.occurrence, state: 'sent' }]);
    expect(fake.calls('chat.postMessage').length).toBe(before + 1);
    expect(fake.calls('conversations.open').at(-1)!.args.users).toBe('U0JOINED');
  });
});

describe('an address no platform accepts', () => {
  it('is refused by the network file, and a stored one fails its delivery at once, logged, instead of sticking in sending', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseNetworkFile } = await import('../src/core/networkFile.ts');
    const { RedisStore } = await import('../adapters/redis/store.ts');
    const text = readFileSync(EXAMPLE, 'utf8');
    const bad = '{tone}@kristiansand.example.no';
    expect(() => parseNetworkFile(text.replace(USERS.ola.email, `"${bad}"`), 'network.yaml')).toThrow(/not a valid network file/);

    // A network stored before the file refused such addresses.
    const t2 = await testRedis();
    try {
      const def = parseNetworkFile(text, 'network.yaml');
      const ola = def.municipalities.flatMap((m) => m.members).find((p) => p.email === USERS.ola.email)!;
      ola.email = bad;
      await new RedisStore(t2.redis, { prefix: t2.prefix }).importNetwork(def);
      fake.reset();
      let stdout = '';
      let log = '';
      const code = await main(['tick', '--at', '2027-01-20T09:00', '--network', 'agder-helse-2027', '--deliver', '--timeout', '60'], {
        env: { REDIS_URL: t2.url, SAMLA_REDIS_PREFIX: t2.prefix, LOG_LEVEL: 'warn', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl, SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0', SAMLA_DELIVERY_BACKOFF_MS: '50', SAMLA_NUDGES: 'off' },
        stdout: { write: (s: string) => void (stdout += s) },
        stderr: { write: (s: string) => void (log += s) },
        now: () => new Date('2027-01-05T10:00:00Z'),
      });
      expect(code).toBe(0);
      expect(stdout).toMatch(/delivered from the queue: [1-9]\d* sent/); // the others still get theirs
      expect(fake.calls('users.lookupByEmail').map((c) => c.args.email)).not.toContain(bad);
      let failedOut = '';
      await main(['deliveries', 'failed', '--json'], { env: { REDIS_URL: t2.url, SAMLA_REDIS_PREFIX: t2.prefix, LOG_LEVEL: 'silent' }, stdout: { write: (s: string) => void (failedOut += s) }, stderr: { write: () => {} } });
      const mine = (JSON.parse(failedOut) as { email: string; reason: string }[]).filter((f) => f.email === bad);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine[0]!.reason).toContain('is not an email address Slack or Teams accepts');
      expect(log).toContain('delivery failed permanently');
      expect(log).toContain(bad);
    } finally {
      await t2.cleanup();
    }
  });
});
