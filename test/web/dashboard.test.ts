/**
 * Who may see the organisers' dashboard (src/web/access.ts), against a running `samla start`:
 * in demo mode this machine only; otherwise only an organiser signed in with the short-lived
 * link Samla sends in chat, and only for the networks they organise. Expired, forged and
 * misused tokens are refused, and nobody sees municipalities' data anonymously.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../adapters/redis/store.ts';
import { demoDefinitions } from '../../src/app/demoNetwork.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { isLocalRequest, signToken, verifyToken } from '../../src/web/access.ts';
import { readEnv } from '../../src/app/env.ts';

const readWebConfig = (env: Record<string, string>) => readEnv(env).web;
import { FakeBotConnector } from '../fakes/botConnector.ts';
import { startCli, type StartedSamla } from '../helpers/demo.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const ASTRID = 'astrid.nilsen@ks.example.no'; // organises the demo network only
const OLAV = 'olav.annen@example.no'; // organises the other network only
const KJETIL = 'kjetil.dahl@arendal.example.no'; // a project leader, organises nothing
const texts = loadTexts();
const nb = (key: string) => texts.t('nb', `web.${key}`);
// Slack is configured (at a closed local port), so this is the service, not the demo.
const SERVICE_ENV = { SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: 'http://127.0.0.1:9/api/' };

function otherNetwork(): NetworkDefinition {
  const def = structuredClone(demoDefinitions().current);
  return { ...def, id: 'annet-nettverk', name: 'Annet nettverk', organisers: [{ name: 'Olav Annen', email: OLAV, platform: 'teams' }] };
}

async function addOtherNetwork(s: StartedSamla): Promise<void> {
  await new RedisStore(s.t.redis, { prefix: s.t.prefix }).importNetwork(otherNetwork());
}

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);

async function page(s: StartedSamla, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.base}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location'), cookie: res.headers.get('set-cookie') };
}

/**
 * Opens a sign-in link as a browser does: the link's page, then its sign-in button (a form POST
 * from the same origin). Returns the button's answer, or the page's refusal.
 */
async function openLink(url: string, headers: Record<string, string> = {}) {
  const shown = await fetch(url, { redirect: 'manual' });
  const html = await shown.text();
  const form = /<form method="post" action="([^"]+)"><input type="hidden" name="token" value="([^"]*)">/.exec(html);
  if (shown.status !== 200 || !form) return { status: shown.status, text: html, location: shown.headers.get('location'), cookie: shown.headers.get('set-cookie') };
  expect(shown.headers.get('set-cookie')).toBeNull(); // opening the link alone signs nobody in
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const res = await fetch(new URL(unescape(form[1]!), url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams({ token: unescape(form[2]!) }).toString(),
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text(), location: res.headers.get('location'), cookie: res.headers.get('set-cookie') };
}

/** Opens a sign-in link; returns the session cookie it sets (or the refusal). */
async function signIn(s: StartedSamla, token: string) {
  const r = await openLink(`${s.base}/dashboard/login?token=${encodeURIComponent(token)}`);
  return { ...r, session: r.cookie?.split(';')[0] };
}

describe('tokens', () => {
  it('verifies its own signature, purpose and expiry, and nothing else', () => {
    const now = new Date('2027-04-26T08:00:00Z');
    const link = signToken(SECRET, 'Astrid.Nilsen@ks.example.no', 'link', new Date(now.getTime() + 15 * 60_000));
    expect(verifyToken(SECRET, link, 'link', now)).toEqual({ ok: true, email: ASTRID, expires: new Date(now.getTime() + 15 * 60_000), id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(verifyToken(SECRET, link, 'link', new Date(now.getTime() + 15 * 60_000))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(SECRET, link, 'session', now)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken('another-secret-that-is-long-enough-xxxxxxx', link, 'link', now)).toEqual({ ok: false, reason: 'invalid' });
    // Changing the claims (someone else's email, a later expiry) breaks the signature.
    const [v, , sig] = link.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: KJETIL, exp: 9_999_999_999, typ: 'link' })).toString('base64url');
    expect(verifyToken(SECRET, `${v}.${forged}.${sig}`, 'link', now)).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', 'v1', 'v1.a.b', 'v2.x.y', `${link}x`]) expect(verifyToken(SECRET, junk, 'link', now).ok).toBe(false);
  });

  it('treats as local only loopback requests to a localhost name, without proxy headers', () => {
    const req = (remoteAddress: string, headers: Record<string, string>) => ({ socket: { remoteAddress }, headers });
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3978' }))).toBe(true);
    expect(isLocalRequest(req('::1', { host: '[::1]:3978' }))).toBe(true);
    expect(isLocalRequest(req('::ffff:127.0.0.1', { host: '127.0.0.1:3978' }))).toBe(true);
    expect(isLocalRequest(req('10.0.0.7', { host: 'localhost:3978' }))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', { host: 'samla.example.no' }))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3978', 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3978', 'x-real-ip': '203.0.113.9' }))).toBe(false);
  });

  it('refuses a secret that is too short, naming the variable but never the value', () => {
    let error: { code?: string; message?: string; details?: string[] } = {};
    try {
      readWebConfig({ SAMLA_DASHBOARD_SECRET: 'short-secret' });
    } catch (err) {
      error = err as typeof error;
    }
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details).toEqual(['SAMLA_DASHBOARD_SECRET: must be at least 32 characters, e.g. the output of: openssl rand -hex 32']);
    expect(`${error.message} ${error.details?.join(' ')}`).not.toContain('short-secret');
    expect(readWebConfig({ SAMLA_PUBLIC_URL: 'https://samla.example.no/' })).toEqual({ publicUrl: 'https://samla.example.no', linkMinutes: 15 });
  });
});

describe('the dashboard outside demo mode', () => {
  let s: StartedSamla;
  beforeAll(async () => {
    s = await startCli([], { ...SERVICE_ENV, SAMLA_DASHBOARD_SECRET: SECRET });
    await addOtherNetwork(s);
  }, 30_000);
  afterAll(async () => {
    expect(await s.close()).toBe(0);
  }, 30_000);

  it('asks anyone without a session to sign in, and shows no municipality', async () => {
    const r = await page(s, '/dashboard');
    expect(r.status).toBe(401);
    expect(r.text).toContain(nb('access_sign_in'));
    expect(r.text).not.toContain('Lyngdal');
    // Not even from this machine: localhost grants nothing outside demo mode.
    expect((await page(s, '/dashboard?network=agder-helse-demo')).status).toBe(401);
  });

  it('signs an organiser in with a fresh link and shows only the networks they organise', async () => {
    const r = await signIn(s, signToken(SECRET, ASTRID, 'link', inMinutes(15)));
    expect(r.status).toBe(303);
    expect(r.location).toBe('/dashboard');
    expect(r.cookie).toMatch(/^samla_dashboard=[^;]+; Path=\/dashboard; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const dash = await page(s, '/dashboard', { cookie: r.session! });
    expect(dash.status).toBe(200);
    expect(dash.text).toContain('Læringsnettverk helse og omsorg Agder 2027 (demo)');
    expect(dash.text).toContain('Logget inn som Astrid Nilsen');
    expect(dash.text).not.toContain('Annet nettverk');
    expect(dash.text).toContain('data-testid="readiness"');
    const other = await page(s, '/dashboard?network=annet-nettverk', { cookie: r.session! });
    expect(other.status).toBe(403);
    expect(other.text).toContain(nb('access_other_network'));
    expect(other.text).not.toContain('Lyngdal');
  });

  it('refuses the organiser of another network', async () => {
    const olav = await signIn(s, signToken(SECRET, OLAV, 'link', inMinutes(15)));
    const dash = await page(s, '/dashboard', { cookie: olav.session! });
    expect(dash.text).toContain('Annet nettverk');
    expect(dash.text).not.toContain('Agder 2027 (demo)');
    expect((await page(s, '/dashboard?network=agder-helse-demo', { cookie: olav.session! })).status).toBe(403);
  });

  it('refuses expired, forged and misused links, and people who organise nothing', async () => {
    const expired = await signIn(s, signToken(SECRET, ASTRID, 'link', inMinutes(-1)));
    expect([expired.status, expired.cookie]).toEqual([401, null]);
    expect(expired.text).toContain(nb('access_link_expired'));
    const forged = await signIn(s, signToken('not-the-secret-but-just-as-long-0123456789', ASTRID, 'link', inMinutes(15)));
    expect([forged.status, forged.cookie]).toEqual([401, null]);
    expect(forged.text).toContain(nb('access_link_invalid'));
    // A session token is no sign-in link, and a link is no session.
    expect((await signIn(s, signToken(SECRET, ASTRID, 'session', inMinutes(15)))).status).toBe(401);
    expect((await page(s, '/dashboard', { cookie: `samla_dashboard=${encodeURIComponent(signToken(SECRET, ASTRID, 'link', inMinutes(15)))}` })).status).toBe(401);
    const notOrganiser = await signIn(s, signToken(SECRET, KJETIL, 'link', inMinutes(15)));
    expect([notOrganiser.status, notOrganiser.cookie]).toEqual([403, null]);
    expect(notOrganiser.text).toContain(nb('access_not_organiser'));
    // A session for someone who organises nothing (say, removed since) shows nothing either.
    expect((await page(s, '/dashboard', { cookie: `samla_dashboard=${encodeURIComponent(signToken(SECRET, KJETIL, 'session', inMinutes(60)))}` })).status).toBe(403);
  });

  it('starts a session only from its own page: another site cannot sign a visitor in (login CSRF)', async () => {
    const token = signToken(SECRET, ASTRID, 'link', inMinutes(15));
    const post = (headers: Record<string, string>) =>
      fetch(`${s.base}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: `token=${encodeURIComponent(token)}`, redirect: 'manual' });
    const shown = await page(s, `/dashboard/login?token=${encodeURIComponent(token)}`);
    expect([shown.status, shown.cookie]).toEqual([200, null]);
    expect(shown.text).toContain(nb('login_button'));
    const elsewhere: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }];
    for (const headers of elsewhere) {
      const r = await post(headers);
      expect([r.status, r.headers.get('set-cookie')]).toEqual([403, null]);
      expect(await r.text()).toContain(nb('access_cross_site'));
    }
    const own = await post({ 'sec-fetch-site': 'same-origin', origin: s.base });
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toMatch(/^samla_dashboard=/);
  });

  it('ends a session for good on sign-out, and reads a malformed cookie as none', async () => {
    const { session } = await signIn(s, signToken(SECRET, ASTRID, 'link', inMinutes(15)));
    expect((await page(s, '/dashboard', { cookie: session! })).status).toBe(200);
    const out = await page(s, '/dashboard/logout', { cookie: session! });
    expect(out.status).toBe(200);
    expect(out.cookie).toMatch(/Max-Age=0/);
    // The old cookie, kept or copied, no longer opens the dashboard; a new sign-in does.
    expect((await page(s, '/dashboard', { cookie: session! })).status).toBe(401);
    const again = await signIn(s, signToken(SECRET, ASTRID, 'link', inMinutes(15)));
    expect((await page(s, '/dashboard', { cookie: again.session! })).status).toBe(200);
    for (const junk of ['samla_dashboard=%', 'samla_dashboard=%E0%A4%A', 'samla_dashboard=v1.%ZZ.x']) {
      const r = await page(s, '/dashboard', { cookie: junk });
      expect(r.status).toBe(401);
      expect(r.text).toContain(nb('access_sign_in'));
      expect((await page(s, '/dashboard/logout', { cookie: junk })).status).toBe(200);
    }
  });

  it('sends the sign-in link in chat to organisers only, in a private chat', async () => {
    const fake = await FakeBotConnector.start();
    try {
      const people = {
        astrid: { id: '29:astrid', name: 'Astrid Nilsen', aadObjectId: 'aad-astrid', email: ASTRID },
        kjetil: { id: '29:kjetil', name: 'Kjetil Dahl', aadObjectId: 'aad-kjetil', email: KJETIL },
      };
      fake.addMembers(Object.values(people));
      const say = async (who: (typeof people)[keyof typeof people], text: string, channel = false) => {
        fake.reset();
        const res = await fetch(`${s.base}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            id: `m-${Math.random()}`,
            serviceUrl: fake.url,
            channelId: 'msteams',
            from: { id: who.id, name: who.name, aadObjectId: who.aadObjectId },
            recipient: { id: '28:samla-bot', name: 'Samla' },
            conversation: channel
              ? { id: '19:general@thread.tacv2;messageid=1', conversationType: 'channel', isGroup: true, tenantId: 't1' }
              : { id: `a:personal-${who.id}`, conversationType: 'personal', tenantId: 't1' },
            channelData: channel ? { tenant: { id: 't1' }, team: { id: '19:general@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } } : { tenant: { id: 't1' } },
            text: channel ? '<at>Samla</at> dashboard' : text,
            ...(channel ? { entities: [{ type: 'mention', text: '<at>Samla</at>', mentioned: { id: '28:samla-bot', name: 'Samla' } }] } : {}),
            locale: 'nb-NO',
          }),
        });
        expect(res.status).toBe(200);
        return String(fake.lastMessage().body.text);
      };
      const answer = await say(people.astrid, 'dashboard');
      expect(answer).toContain('virker i 15 minutter');
      const url = /(http:\/\/localhost:\d+\/dashboard\/login\?token=\S+)/.exec(answer)![1]!;
      const opened = await openLink(url);
      expect(opened.status).toBe(303);
      expect(await say(people.kjetil, 'dashboard')).toBe(nb('chat_organisers_only'));
      expect(await say(people.astrid, 'dashboard', true)).toBe(nb('chat_private_only'));
    } finally {
      await fake.close();
    }
  });
});

describe('the dashboard without a secret, outside demo mode', () => {
  it('is closed, and says what to set', async () => {
    const s = await startCli([], SERVICE_ENV);
    try {
      const r = await page(s, '/dashboard');
      expect(r.status).toBe(503);
      expect(r.text).toContain(nb('access_not_configured'));
      expect(r.text).not.toContain('Lyngdal');
      expect(s.stdout()).toContain('closed: set SAMLA_DASHBOARD_SECRET');
    } finally {
      expect(await s.close()).toBe(0);
    }
  }, 30_000);
});

describe('the dashboard in demo mode', () => {
  it('answers on this machine without sign-in, with every network, and nowhere else', async () => {
    const s = await startCli(['--demo']);
    try {
      await addOtherNetwork(s);
      const local = await page(s, '/dashboard');
      expect(local.status).toBe(200);
      expect(local.text).toContain('Agder 2027 (demo)');
      expect(local.text).toContain('Annet nettverk');
      // The demo's story: Lyngdal drifting, with reasons and dates; Kristiansand on track.
      expect(local.text).toContain('ingen status på 5 uker (sist 22.03.2027)');
      expect(local.text).toMatch(/<tr data-municipality="4204"><th scope="row">Kristiansand<\/th>(<td class="cell">[^]*?<\/td>){12}<td><span class="muted">Ingen signaler<\/span>/);
      const proxied = await page(s, '/dashboard', { 'x-forwarded-for': '203.0.113.9' });
      expect(proxied.status).toBe(403);
      expect(proxied.text).toContain(nb('access_local_only'));
      expect(proxied.text).not.toContain('Lyngdal');
      // The language switch.
      expect((await page(s, '/dashboard?lang=en')).text).toContain('Municipalities and signals');
      expect((await page(s, '/dashboard?lang=nn')).text).toContain('Kommunar og signal');
    } finally {
      expect(await s.close()).toBe(0);
    }
  }, 30_000);
});
