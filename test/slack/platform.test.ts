/**
 * SlackPlatform against the fake Web API: where messages go, and which failures the delivery
 * queue may retry. Also the Slack settings (readSlackConfig) and the plugin without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { readEnv } from '../../src/app/env.ts';

const readSlackConfig = (env: Record<string, string>) => readEnv(env).slack;
import { slackPlugin } from '../../adapters/slack/app.ts';
import { SlackPlatform, slackPlatformFrom } from '../../adapters/slack/platform.ts';
import { RedisIdentityStore } from '../../adapters/redis/store.ts';
import { message, text } from '../../src/core/drafts.ts';
import { DeliveryError } from '../../src/core/ports.ts';
import { startServer } from '../../src/app/server.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { testRedis, type TestRedis } from '../helpers/redis.ts';
import { BOT_TOKEN, startHarness } from './harness.ts';

let fake: FakeSlackApi;
let db: TestRedis;
let slack: SlackPlatform;
const silent = pino({ level: 'silent' });
const hello = message('Hei <!here>', text('Hei <!here>'));

beforeAll(async () => {
  fake = await startFakeSlackApi();
  fake.users.set('U0OLA', { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' });
  db = await testRedis();
  slack = SlackPlatform.create({ botToken: BOT_TOKEN, signingSecret: 'x'.repeat(16), apiUrl: fake.apiUrl }, new RedisIdentityStore(db.redis, { prefix: db.prefix }), silent);
});
afterAll(async () => {
  await fake?.close();
  await db?.cleanup();
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

describe('SlackPlatform', () => {
  it('sends a DM found by email (lookupByEmail once, then cached) and escapes the text', async () => {
    const ref = await slack.sendToPerson('Ola.Hansen@kristiansand.example.no', hello);
    expect(ref).toMatchObject({ platform: 'slack', conversation: 'D0OLA' });
    await slack.sendToPerson('ola.hansen@kristiansand.example.no', hello);
    expect(fake.calls('users.lookupByEmail')).toHaveLength(1);
    expect(fake.calls('conversations.open').at(-1)!.args.users).toBe('U0OLA');
    const posted = fake.calls('chat.postMessage').at(-1)!;
    expect(posted.token).toBe(BOT_TOKEN);
    expect(posted.args.text).toBe('Hei &lt;!here&gt;');
  });

  it('maps users_not_found to a permanent DeliveryError', async () => {
    const e = await deliveryError(slack.sendToPerson('nobody@example.no', hello));
    expect(e).toMatchObject({ permanent: true, code: 'users_not_found' });
  });

  it('maps a 429 to a transient DeliveryError with retryAfterMs, without retrying itself', async () => {
    const from = fake.mark();
    fake.script('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    const e = await deliveryError(slack.sendToChannel('C0STEER', hello));
    expect(e).toMatchObject({ permanent: false, code: 'ratelimited', retryAfterMs: 7000 });
    expect(fake.calls('chat.postMessage').filter((c) => c.n >= from)).toHaveLength(1);
  });

  it('maps HTTP 5xx and network failures to transient, channel and archive errors to permanent', async () => {
    fake.script('chat.postMessage', { status: 503, body: { ok: false, error: 'service_unavailable' } });
    expect(await deliveryError(slack.sendToChannel('C0STEER', hello))).toMatchObject({ permanent: false, code: 'http_503' });
    fake.script('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    expect(await deliveryError(slack.sendToChannel('C0GONE', hello))).toMatchObject({ permanent: true, code: 'channel_not_found' });
    fake.script('chat.update', { body: { ok: false, error: 'is_archived' } });
    expect(await deliveryError(slack.update({ platform: 'slack', conversation: 'C0OLD', message: '1.2' }, hello))).toMatchObject({ permanent: true, code: 'is_archived' });
    fake.script('chat.postMessage', { body: { ok: false, error: 'internal_error' } });
    expect(await deliveryError(slack.sendToChannel('C0STEER', hello))).toMatchObject({ permanent: false, code: 'internal_error' });

    const offline = slackPlatformFrom({
      slack: readSlackConfig({ SLACK_SIGNING_SECRET: 'x'.repeat(16), SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: 'http://127.0.0.1:9/api' }),
      identities: new RedisIdentityStore(db.redis, { prefix: db.prefix }),
      logger: silent,
    })!;
    expect(await deliveryError(offline.sendToChannel('C0STEER', hello))).toMatchObject({ permanent: false, code: 'network' });
  });

  it('updates a sent message in place with chat.update', async () => {
    const ref = await slack.sendToChannel('C0STEER', hello);
    await slack.update(ref, message('Oppdatert', text('Oppdatert')));
    expect(fake.calls('chat.update').at(-1)!.args).toMatchObject({ channel: 'C0STEER', ts: ref.message, text: 'Oppdatert' });
  });
});

describe('Slack settings', () => {
  it('is disabled without a secret and a token, and the plugin then serves nothing', async () => {
    expect(readSlackConfig({})).toMatchObject({ enabled: false });
    const h = await startHarness();
    try {
      const deps = { ...h.deps, slack: readSlackConfig({}), logger: silent };
      const server = await startServer(deps, [slackPlugin(deps)], 0, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${server.port}/slack/events`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(404);
      await server.close();
    } finally {
      await h.close();
    }
  });

  it('names the missing or malformed variable and never prints a secret', () => {
    expect(() => readSlackConfig({ SLACK_SIGNING_SECRET: 'abcdef0123456789' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: [expect.stringContaining('SLACK_BOT_TOKEN is not set')] }),
    );
    let thrown: { details: string[] } | undefined;
    try {
      readSlackConfig({ SLACK_SIGNING_SECRET: 'abcdef0123456789', SLACK_BOT_TOKEN: 'xoxp-user-token-secret' });
    } catch (e) {
      thrown = e as { details: string[] };
    }
    expect(thrown?.details.join()).toMatch(/SLACK_BOT_TOKEN: must be a bot token starting with "xoxb-"/);
    expect(thrown?.details.join()).not.toContain('xoxp-user-token-secret');
    expect(() => readSlackConfig({ SLACK_SIGNING_SECRET: 's'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'slack.example' })).toThrow(
      expect.objectContaining({ details: [expect.stringContaining('SLACK_API_URL="slack.example": must be an http(s) URL')] }),
    );
  });

  it('ends SLACK_API_URL with a slash and defaults to slack.com', () => {
    const base = { SLACK_SIGNING_SECRET: 's'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1' };
    expect(readSlackConfig({ ...base, SLACK_API_URL: 'https://slack-gov.com/api' })).toMatchObject({ enabled: true, config: { apiUrl: 'https://slack-gov.com/api/' } });
    expect(readSlackConfig({ ...base, SLACK_API_URL: '' })).toMatchObject({ config: { apiUrl: 'https://slack.com/api/' } });
  });
});
