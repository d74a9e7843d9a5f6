/**
 * The local Direct Line bridge (adapters/directline), driven over real HTTP the way Web Chat
 * drives it, against `samla start --demo`: Samla answers through its own Teams endpoint, knows
 * the person by the email the bridge gives for them, updates a card in place, and its scheduled
 * prompts arrive in the chat through the Teams adapter.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFor } from '../../adapters/directline/accounts.ts';
import { localToInstant } from '../../src/core/calendar.ts';
import { startCli, type StartedSamla } from '../helpers/demo.ts';

const KJETIL = 'kjetil.dahl@arendal.example.no';
// Kristiansand's project leader: on track, so Samla sends him no steering-group nudge at start.
const OLA = 'ola.hansen@kristiansand.example.no';

type Activity = { id: string; type: string; text?: string; from: { id: string; role?: string }; replyToId?: string; attachments?: { contentType: string; content: Card }[] };
type Card = { body: Record<string, unknown>[]; actions?: Record<string, unknown>[] };

let s: StartedSamla;
beforeAll(async () => {
  s = await startCli(['--demo']);
}, 30_000);
afterAll(async () => {
  expect(await s.close()).toBe(0);
}, 30_000);

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> };
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.base}${path}`, { headers });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> };
}

/** Web Chat's session: a token for the person, then the conversation. */
async function open(email: string) {
  const session = await post('/demo/api/session', { email });
  expect(session.status).toBe(200);
  const token = session.body.token as string;
  const auth = { authorization: `Bearer ${token}` };
  const conv = await post('/v3/directline/conversations', { user: { id: 'dl_random' } }, auth);
  expect(conv.status).toBe(201);
  const id = conv.body.conversationId as string;
  let watermark = '';
  return {
    id,
    auth,
    user: session.body.user as { id: string; name: string },
    /** Polls like Web Chat: everything after the last watermark. */
    async poll(): Promise<Activity[]> {
      const r = await get(`/v3/directline/conversations/${encodeURIComponent(id)}/activities?watermark=${watermark}`, auth);
      expect(r.status).toBe(200);
      watermark = r.body.watermark as string;
      return r.body.activities as Activity[];
    },
    send(activity: Record<string, unknown>) {
      return post(`/v3/directline/conversations/${encodeURIComponent(id)}/activities`, { from: { id: 'dl_random', role: 'user' }, locale: 'nb-NO', ...activity }, auth);
    },
  };
}

function cardText(a: Activity): string {
  return JSON.stringify(a.attachments?.[0]?.content ?? {});
}

function elements(card: Card): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (items: unknown) => {
    for (const el of (items as Record<string, unknown>[]) ?? []) {
      out.push(el);
      for (const k of ['items', 'actions', 'columns']) if (Array.isArray(el[k])) walk(el[k]);
    }
  };
  walk(card.body);
  walk(card.actions);
  return out;
}

describe('the local Direct Line bridge', () => {
  it('opens the person’s chat, where Samla greets them, and answers a typed command as in Teams', async () => {
    const chat = await open(OLA);
    expect(chat.id).toBe(`a:local-${accountFor({ email: OLA, name: 'Ola Hansen' }).key}`);
    expect(chat.user).toEqual({ id: accountFor({ email: OLA, name: 'Ola Hansen' }).id, name: 'Ola Hansen' });
    const greeting = await chat.poll();
    expect(greeting).toHaveLength(1);
    expect(greeting[0]!.from.role).toBe('bot');
    expect(greeting[0]!.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(greeting[0]!)).toContain('Jeg er Samla');

    const sent = await chat.send({ type: 'message', text: 'status', channelData: { clientActivityID: 'c-1' } });
    expect(sent.status).toBe(200);
    const after = await chat.poll();
    // Web Chat's own message comes back (echo, with its client id), then Samla's status form.
    expect(after[0]).toMatchObject({ id: sent.body.id, text: 'status', from: { role: 'user' }, channelData: { clientActivityID: 'c-1' } });
    const form = after.find((a) => a.from.role === "bot")!;
    const inputs = elements(form.attachments![0]!.content).filter((e) => String(e.type).startsWith('Input.')).map((e) => e.id);
    expect(inputs).toEqual(expect.arrayContaining(['overall', 'done', 'next', 'blockers', 'steering_met']));

    // Submitting the card (Action.Submit: data + inputs, no text, no card id): Samla updates that card in place.
    const card = elements(form.attachments![0]!.content);
    const submit = card.find((e) => e.type === 'Action.Submit')!;
    // As Web Chat sends it: the action's data merged with every input's value (prefilled from the last status).
    const prefilled = Object.fromEntries(card.filter((e) => String(e.type).startsWith('Input.')).map((e) => [e.id, e.value ?? '']));
    const value = { ...(submit.data as object), ...prefilled, overall: 'on_track', done: 'SWOT-analysen er ferdig i begge enhetene.', steering_met: 'yes' };
    expect((await chat.send({ type: 'message', value, channelData: { postBack: true, clientActivityID: 'c-2' } })).status).toBe(200);
    const updated = (await chat.poll()).filter((a) => a.from.role === 'bot');
    expect(updated).toHaveLength(1);
    expect(updated[0]!.id).toBe(form.id);
    expect(cardText(updated[0]!)).toContain('SWOT-analysen er ferdig i begge enhetene.');
    expect(cardText(updated[0]!)).not.toContain('Input.'); // the recorded status, not the form again
    const statuses = await s.t.redis.zrange(`${s.t.prefix}{agder-helse-demo}:status:4204`, '0', '-1');
    expect(statuses).toHaveLength(6); // five from the demo's history, one just now
  });

  it('answers Samla’s member lookup with the person’s email, so Samla knows who is writing', async () => {
    const account = accountFor({ email: KJETIL, name: 'Kjetil Dahl' });
    const member = await get(`/demo/connector/v3/conversations/a%3Alocal-${account.key}/members/${encodeURIComponent(account.id)}`);
    expect(member.body).toMatchObject({ id: account.id, email: KJETIL, userPrincipalName: KJETIL, aadObjectId: account.aadObjectId });
    expect((await get(`/demo/connector/v3/conversations/a%3Alocal-${account.key}/members/29%3Alocal-0000000000000000`)).status).toBe(404);
    expect((await post('/demo/api/session', { email: 'nobody@elsewhere.example.no' })).status).toBe(404);
  });

  it('delivers scheduled prompts into the chat: a jump to the check-in brings the check-in card', async () => {
    const chat = await open('siri.lund@kristiansand.example.no');
    await chat.poll();
    const checkinAt = localToInstant('2027-05-03T08:00', 'Europe/Oslo');
    const jump = await post('/demo/api/clock', { to: checkinAt.toISOString(), lang: 'en' });
    expect(jump.status).toBe(200);
    expect(jump.body.message).toMatch(/^It is now Monday 3 May at 08:00\. \d+ messages were sent\.$/);
    const arrived = (await chat.poll()).filter((a) => a.from.role === 'bot').map(cardText);
    expect(arrived.some((c) => c.includes('Kommer du på samlingen?'))).toBe(true);
    // Only forward.
    const back = await post('/demo/api/clock', { to: new Date(checkinAt.getTime() - 3600_000).toISOString(), lang: 'en' });
    expect(back).toEqual({ status: 400, body: { error: 'invalid', message: 'The demo clock only moves forward.' } });
  });

  it('keeps each token to its own conversation', async () => {
    const a = await open(KJETIL);
    const b = await open('tone.aas@arendal.example.no');
    expect((await get(`/v3/directline/conversations/${encodeURIComponent(b.id)}/activities`, a.auth)).status).toBe(403);
    expect((await get(`/v3/directline/conversations/${encodeURIComponent(a.id)}/activities`)).status).toBe(403);
    expect((await get(`/v3/directline/conversations/${encodeURIComponent(a.id)}/activities`, { authorization: 'Bearer forged' })).status).toBe(403);
    expect((await post(`/v3/directline/conversations/${encodeURIComponent(b.id)}/activities`, { type: 'message', text: 'hei' }, a.auth)).status).toBe(403);
    const refreshed = await post('/v3/directline/tokens/refresh', undefined, a.auth);
    expect(refreshed.body).toMatchObject({ conversationId: a.id, token: a.auth.authorization.slice('Bearer '.length) });
  });

  it('answers only on this machine: not through a proxy, not under another host name, and only JSON that changes things', async () => {
    const viaProxy = await get('/demo/api/clock', { 'x-forwarded-for': '203.0.113.9' });
    expect(viaProxy.status).toBe(403);
    expect((await get('/v3/directline/conversations/x/activities', { forwarded: 'for=203.0.113.9' })).status).toBe(403);
    const port = new URL(s.base).port;
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/demo/api/clock', headers: { host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
    const form = await fetch(`${s.base}/demo/api/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ email: KJETIL }) });
    expect(form.status).toBe(415);
  });
});

describe('starting the demo over', () => {
  it('puts the clock back and forgets the demo’s answers and chats', async () => {
    const before = await open(OLA);
    await post('/demo/api/clock', { plusDays: 1, lang: 'en' });
    const restarted = await post('/demo/api/restart', { lang: 'en' });
    expect(restarted.status).toBe(200);
    expect((restarted.body.clock as { label: string }).label).toBe('Monday 26 April at 10:00');
    expect((await get(`/v3/directline/conversations/${encodeURIComponent(before.id)}/activities`, before.auth)).status).toBe(403);
    expect(await s.t.redis.zcard(`${s.t.prefix}{agder-helse-demo}:status:4204`)).toBe(5);
    // A fresh chat (Samla greets a personal chat once a minute at most, so it may stay quiet).
    const again = await open(OLA);
    await again.poll();
    await again.send({ type: 'message', text: 'hjelp' });
    expect((await again.poll()).map((a) => cardText(a)).join()).toContain('Jeg er Samla');
  });
});

describe('outside demo mode', () => {
  it('serves no local chat when a chat platform is configured', async () => {
    const real = await startCli([], { SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    try {
      const chat = await fetch(`${real.base}/chat`, { redirect: 'manual' });
      expect(chat.status).toBe(303);
      expect(chat.headers.get('location')).toBe('/dashboard');
      expect((await fetch(`${real.base}/demo/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
      expect((await fetch(`${real.base}/v3/directline/conversations`, { method: 'POST' })).status).toBe(404);
    } finally {
      expect(await real.close()).toBe(0);
    }
  }, 30_000);

  it('says why the local chat is off when Teams has credentials (--demo)', async () => {
    const demo = await startCli(['--demo'], { TEAMS_APP_ID: '00000000-0000-0000-0000-00000000abcd', TEAMS_APP_PASSWORD: 'secret' });
    try {
      const page = await (await fetch(`${demo.base}/chat`)).text();
      expect(page).toContain('virker bare når Teams kjører uten innlogging');
      const session = await fetch(`${demo.base}/demo/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: KJETIL }) });
      expect(session.status).toBe(503);
    } finally {
      expect(await demo.close()).toBe(0);
    }
  }, 30_000);
});
