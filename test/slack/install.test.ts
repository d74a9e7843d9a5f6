/**
 * Samla installed in many workspaces (issue 12), over HTTP against the fake Slack API:
 * - the OAuth v2 round trip: `/slack/install` (state cookie) → Slack → `/slack/oauth_redirect`
 *   exchanges the code with `oauth.v2.access` and stores the installation, whose tokens never
 *   appear in Redis in clear; a callback without the install's state cookie stores nothing;
 * - requests from that workspace are answered with its token; `app_uninstalled` deletes it;
 * - a token about to expire is refreshed exactly once when three processes need it at once;
 * - Socket Mode: a slash command over the fake WebSocket is acknowledged and answered.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { slackPlugin } from '../../adapters/slack/app.ts';
import type { SlackConfig, SlackOAuthConfig } from '../../adapters/slack/config.ts';
import { InstalledWorkspaces } from '../../adapters/slack/workspaces.ts';
import { readEnv } from '../../src/app/env.ts';
import { buildAppDeps } from '../../src/app/main.ts';
import { startServer, type RunningServer } from '../../src/app/server.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/slackSocket.ts';
import { connectTestRedis, keysUnder, testRedis, type TestRedis } from '../helpers/redis.ts';
import { loadExampleNetwork, sign, SIGNING_SECRET } from './harness.ts';

const KEY_HEX = randomBytes(32).toString('hex');
const CLIENT_ID = '1111111111.2222222222';
const CLIENT_SECRET = 'fake-client-secret-9f3a';
const STATE_SECRET = 'fake-state-secret-0123456789abcdef';

interface Setup {
  fake: FakeSlackApi;
  db: TestRedis;
  server: RunningServer;
  base: string;
  env: Record<string, string>;
  socket?: FakeSocketMode;
}
let setup: Setup | undefined;
const extra: Redis[] = [];
afterEach(async () => {
  await setup?.server.close();
  await setup?.socket?.close();
  await setup?.fake.close();
  await setup?.db.cleanup();
  for (const r of extra.splice(0)) await r.quit();
  setup = undefined;
});

async function start(more: Record<string, string> = {}, socket = false): Promise<Setup> {
  const fake = await startFakeSlackApi();
  fake.oauthApp(CLIENT_ID, CLIENT_SECRET);
  const sock = socket ? await startFakeSocketMode() : undefined;
  if (sock) fake.socketUrl(sock.url);
  const db = await testRedis();
  const store = new RedisStore(db.redis, { prefix: db.prefix });
  const identities = new RedisIdentityStore(db.redis, { prefix: db.prefix });
  const def = loadExampleNetwork();
  def.municipalities.find((m) => m.id === '4204')!.slackTeam = 'T0BBB';
  await store.importNetwork(def, { now: new Date('2027-01-25T10:00:00Z') });
  const env = {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: CLIENT_ID,
    SLACK_CLIENT_SECRET: CLIENT_SECRET,
    SLACK_STATE_SECRET: STATE_SECRET,
    SAMLA_SECRET_KEY: KEY_HEX,
    SLACK_API_URL: fake.apiUrl,
    ...more,
  };
  const deps = buildAppDeps({ settings: readEnv({ REDIS_URL: db.url, SAMLA_REDIS_PREFIX: db.prefix, PORT: '3978', ...env }), redis: db.redis, logger: pino({ level: 'silent' }), now: () => new Date('2027-01-25T10:00:00Z') });
  const server = await startServer(deps, [slackPlugin(deps)], 0, '127.0.0.1');
  setup = { fake, db, server, base: `http://127.0.0.1:${server.port}`, env, ...(sock ? { socket: sock } : {}) };
  return setup;
}

/** Walks the install flow as an admin's browser does; returns the callback's answer. */
async function install(s: Setup, code: string, opts: { cookie?: boolean } = {}) {
  const page = await fetch(`${s.base}/slack/install`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Installer Samla i Slack-arbeidsområdet deres');
  const href = /<a class="button" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  expect(href).toBeDefined();
  const authorize = new URL(href!);
  expect(authorize.pathname).toBe('/oauth/v2/authorize');
  expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
  expect(authorize.searchParams.get('scope')).toContain('users:read.email');
  const state = authorize.searchParams.get('state')!;
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  expect(cookie).toBe(`slack-app-oauth-state=${state}`);
  return fetch(`${s.base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, { headers: opts.cookie === false ? {} : { cookie } });
}

function installations(s: Setup, redis: Redis = s.db.redis) {
  return new RedisSlackInstallationStore(redis, { prefix: s.db.prefix, secretKey: Buffer.from(KEY_HEX, 'hex') });
}

async function redisText(s: Setup): Promise<string> {
  const keys = await keysUnder(s.db.redis, s.db.prefix);
  const parts = await Promise.all(keys.map(async (k) => `${k}=${(await s.db.redis.dumpBuffer(k))?.toString('latin1')}`));
  return parts.join('\n');
}

async function signedEvent(s: Setup, team: string, ev: Record<string, unknown>) {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: team,
    api_app_id: 'A0SAMLA',
    event: { event_ts: '1800000000.000300', ...ev },
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: team, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
  });
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${s.base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(body, ts) }, body });
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('installing Samla in a workspace (OAuth v2)', () => {
  it('stores the installation sealed, answers that workspace with its token, and deletes it on app_uninstalled', async () => {
    const s = await start();
    s.fake.grant('code-b', { team: 'T0BBB', teamName: 'Kristiansand kommune', botToken: 'xoxe.xoxb-installed-b', refreshToken: 'xoxe-1-refresh-b', expiresIn: 43_200 });
    s.fake.users.set('U0OLA', { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no', team: 'T0BBB' });
    const done = await install(s, 'code-b');
    expect(done.status).toBe(200);
    const exchange = s.fake.calls('oauth.v2.access')[0]!;
    expect(exchange.args).toMatchObject({ code: 'code-b', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

    const info = await installations(s).info('T0BBB');
    expect(info).toMatchObject({ id: 'T0BBB', team: 'T0BBB', teamName: 'Kristiansand kommune' });
    const stored = await installations(s).find({ teamId: 'T0BBB' });
    expect(stored?.bot?.token).toBe('xoxe.xoxb-installed-b');
    const everything = await redisText(s);
    expect(everything).toContain('slack:installation:T0BBB');
    expect(everything).not.toContain('xoxe.xoxb-installed-b');
    expect(everything).not.toContain('xoxe-1-refresh-b');
    expect(everything).not.toContain('installed-b');

    // A request from the workspace is answered with its token, and the person matched in it.
    const from = s.fake.mark();
    expect((await signedEvent(s, 'T0BBB', { type: 'app_home_opened', user: 'U0OLA', channel: 'D0OLA', tab: 'home' })).status).toBe(200);
    const published = await s.fake.waitFor('views.publish', undefined, { from });
    expect(published.token).toBe('xoxe.xoxb-installed-b');
    expect(JSON.stringify(published.args.view)).toContain('Kristiansand');
    expect(s.fake.calls('users.info').at(-1)!.token).toBe('xoxe.xoxb-installed-b');

    expect((await signedEvent(s, 'T0BBB', { type: 'app_uninstalled' })).status).toBe(200);
    await until(async () => (await installations(s).info('T0BBB')) === undefined);
    expect(await installations(s).find({ teamId: 'T0BBB' })).toBeUndefined();
    expect(await redisText(s)).not.toContain('slack:installation:T0BBB=');
  });

  it('matches a person only within their own workspace', async () => {
    const s = await start();
    s.fake.grant('code-b', { team: 'T0BBB', botToken: 'xoxb-installed-b' });
    s.fake.grant('code-c', { team: 'T0CCC', botToken: 'xoxb-installed-c' });
    expect((await install(s, 'code-b')).status).toBe(200);
    expect((await install(s, 'code-c')).status).toBe(200);
    // Someone in workspace C with the email of Ola, whose municipality (Kristiansand) is in workspace B.
    s.fake.users.set('U0OTHER', { id: 'U0OTHER', email: 'ola.hansen@kristiansand.example.no', team: 'T0CCC' });
    s.fake.users.set('U0OLA', { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no', team: 'T0BBB' });
    let from = s.fake.mark();
    await signedEvent(s, 'T0CCC', { type: 'app_home_opened', user: 'U0OTHER', channel: 'D0OTHER', tab: 'home' });
    const stranger = await s.fake.waitFor('views.publish', undefined, { from });
    expect(stranger.token).toBe('xoxb-installed-c');
    expect(JSON.stringify(stranger.args.view)).not.toContain('Kristiansand');
    from = s.fake.mark();
    await signedEvent(s, 'T0BBB', { type: 'app_home_opened', user: 'U0OLA', channel: 'D0OLA', tab: 'home' });
    const ola = await s.fake.waitFor('views.publish', undefined, { from });
    expect(ola.token).toBe('xoxb-installed-b');
    expect(JSON.stringify(ola.args.view)).toContain('Kristiansand');
  });

  it('stores nothing when the callback lacks the install’s state cookie', async () => {
    const s = await start();
    s.fake.grant('code-x', { team: 'T0XXX', botToken: 'xoxb-never' });
    const res = await install(s, 'code-x', { cookie: false });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Samla ble ikke installert');
    expect(s.fake.calls('oauth.v2.access')).toHaveLength(0);
    expect(await installations(s).list()).toEqual([]);
  });

  it('refreshes an expiring token once when three processes need it at the same moment', async () => {
    const s = await start();
    s.fake.grant('code-r', { team: 'T0RRR', botToken: 'xoxe.xoxb-about-to-expire', refreshToken: 'xoxe-1-refresh-r', expiresIn: 60 });
    expect((await install(s, 'code-r')).status).toBe(200);
    const config = readEnv(s.env).slack;
    if (!config.enabled) throw new Error('Slack should be enabled');
    // Three processes: each its own Redis connection, store and InstallProvider.
    const processes = await Promise.all(
      [1, 2, 3].map(async () => {
        const redis = await connectTestRedis();
        extra.push(redis);
        return new InstalledWorkspaces(installations(s, redis), config.config as SlackConfig & { oauth: SlackOAuthConfig });
      }),
    );
    s.fake.script('oauth.v2.access', { delayMs: 300 }); // the refresh takes a while: the others arrive meanwhile
    const results = await Promise.all(processes.map((p) => p.tokenFor({ teamId: 'T0RRR', isEnterpriseInstall: false })));
    const refreshes = s.fake.calls('oauth.v2.access').filter((c) => c.args.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.args.refresh_token).toBe('xoxe-1-refresh-r');
    const fresh = results[0]!.botToken!;
    expect(fresh).not.toBe('xoxe.xoxb-about-to-expire');
    expect(results.map((r) => r.botToken)).toEqual([fresh, fresh, fresh]);
    expect(s.fake.teamOfToken(fresh)).toBe('T0RRR');
    const stored = await installations(s).find({ teamId: 'T0RRR' });
    expect(stored?.bot?.token).toBe(fresh);
    expect(stored!.bot!.expiresAt! - Date.now() / 1000).toBeGreaterThan(40_000);
    expect(await redisText(s)).not.toContain(fresh);
    // Fresh now: asking again refreshes nothing.
    await processes[1]!.tokenFor({ teamId: 'T0RRR', isEnterpriseInstall: false });
    expect(s.fake.calls('oauth.v2.access').filter((c) => c.args.grant_type === 'refresh_token')).toHaveLength(1);
  });
});

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it('acknowledges a slash command that arrives over the WebSocket and answers it', async () => {
    const s = await start({ SLACK_APP_TOKEN: 'xapp-1-A0SAMLA-fake', SLACK_SIGNING_SECRET: '', SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: '', SLACK_STATE_SECRET: '', SLACK_BOT_TOKEN: 'xoxb-single-socket' }, true);
    await s.socket!.connected();
    expect(s.fake.calls('apps.connections.open')[0]!.token).toBe('xapp-1-A0SAMLA-fake');
    s.fake.users.set('U0OLA', { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' });
    const responseUrl = s.fake.responseUrl();
    const from = s.fake.mark();
    const ack = await s.socket!.send('slash_commands', {
      token: 'deprecated-verification-token',
      team_id: 'T0SAMLA',
      team_domain: 'samla-test',
      channel_id: 'D0OLA',
      channel_name: 'directmessage',
      user_id: 'U0OLA',
      user_name: 'ola',
      command: '/samla',
      text: 'hjelp',
      api_app_id: 'A0SAMLA',
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: `${Date.now()}.1.${randomBytes(4).toString('hex')}`,
    });
    expect(ack.envelope_id).toBeTruthy();
    const answer = await s.fake.waitFor('response_url', (c) => c.args.url === new URL(responseUrl).pathname, { from });
    expect(String(answer.args.text ?? JSON.stringify(answer.args.blocks))).toMatch(/Jeg er Samla/);
    expect(s.fake.calls('users.info').at(-1)!.token).toBe('xoxb-single-socket');
    // No HTTP endpoint for events in Socket Mode.
    expect((await fetch(`${s.base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
