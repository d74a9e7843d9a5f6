/**
 * Samla with its Slack plugin on a real HTTP server (port 0), a fake Slack Web API
 * (test/fakes/slackApi.ts), a real Redis under a fresh prefix, the example network imported and
 * a fake clock; plus builders for signed requests of the documented shapes: slash commands
 * (form-encoded), interactivity (`payload=` JSON, form-encoded) and Events API (JSON).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { slackPlugin } from '../../adapters/slack/app.ts';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { readConfig } from '../../src/app/config.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { startServer, type AppDeps, type RunningServer } from '../../src/app/server.ts';
import type { ActionPayload } from '../../src/core/drafts.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { parseNetworkFile } from '../../src/core/networkFile.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../fakes/slackApi.ts';
import { testRedis, type TestRedis } from '../helpers/redis.ts';

export const SIGNING_SECRET = 'samla-test-signing-secret-5f2b9c';
export const BOT_TOKEN = 'xoxb-samla-test-token';
const EXAMPLE = fileURLToPath(new URL('../../examples/network.yaml', import.meta.url));

/** Slack users of the example network (and one stranger). */
export const USERS = {
  ola: { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' }, // prosjektleder + kontaktperson, 4204
  per: { id: 'U0PER', email: 'per.berg@kristiansand.example.no' }, // styringsgruppe, 4204
  anne: { id: 'U0ANNE', email: 'anne.moe@kristiansand.example.no' }, // refleksjonsgruppe + deltaker, 4204
  ingrid: { id: 'U0INGRID', email: 'ingrid.fjeld@example.no', locale: 'en-GB' }, // organiser
  stranger: { id: 'U0STRANGER', email: 'someone.else@example.com' },
} as const;

export interface Harness {
  fake: FakeSlackApi;
  db: TestRedis;
  store: RedisStore;
  identities: RedisIdentityStore;
  deps: AppDeps;
  network: NetworkDefinition;
  server: RunningServer;
  /** The journeys' clock; set `clock.now` to move time. */
  clock: { now: Date };
  url: string;
  close(): Promise<void>;
}

export function loadExampleNetwork(): NetworkDefinition {
  return parseNetworkFile(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
}

export async function startHarness(now = new Date('2027-01-25T10:00:00Z')): Promise<Harness> {
  const fake = await startFakeSlackApi();
  for (const u of Object.values(USERS)) fake.users.set(u.id, { ...u });
  const db = await testRedis();
  const store = new RedisStore(db.redis, { prefix: db.prefix });
  const identities = new RedisIdentityStore(db.redis, { prefix: db.prefix });
  const network = loadExampleNetwork();
  await store.importNetwork(network, { now });
  const clock = { now };
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl };
  const deps: AppDeps = {
    config: readConfig({ REDIS_URL: db.url, SAMLA_REDIS_PREFIX: db.prefix, PORT: '3978' }),
    env,
    redis: db.redis,
    store,
    identities,
    journeys: { store, texts: loadTexts(), now: () => clock.now },
    logger: pino({ level: 'silent' }),
  };
  const server = await startServer(deps, [slackPlugin(deps)], 0, '127.0.0.1');
  return {
    fake,
    db,
    store,
    identities,
    deps,
    network,
    server,
    clock,
    url: `http://127.0.0.1:${server.port}/slack/events`,
    async close() {
      await server.close();
      await fake.close();
      await db.cleanup();
    },
  };
}

/* ---------- signed requests ---------- */

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the computed signature (a forgery). */
  signature?: string;
  headers?: Record<string, string>;
}

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs a body to /slack/events with X-Slack-Request-Timestamp and X-Slack-Signature. */
export async function post(
  h: Harness,
  body: string,
  contentType: string,
  opts: SignOptions = {},
): Promise<{ status: number; text: string; json?: unknown; ms: number; body: string; contentType: string }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(h.url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? sign(body, timestamp),
      ...(opts.headers ?? {}),
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms, body, contentType };
}

const FORM = 'application/x-www-form-urlencoded';
const trigger = () => `${Date.now()}.1234567890.${randomBytes(8).toString('hex')}`;

/** A slash command as Slack sends it (form fields). Returns the HTTP answer and its response_url. */
export async function slash(h: Harness, user: { id: string }, command: string, text = '', opts: SignOptions & { channel?: string } = {}) {
  const responseUrl = h.fake.responseUrl();
  const fields = {
    token: 'deprecated-verification-token',
    team_id: 'T0SAMLA',
    team_domain: 'samla-test',
    channel_id: opts.channel ?? `D${user.id.slice(1)}`,
    channel_name: opts.channel ? 'styringsgruppe-kristiansand' : 'directmessage',
    user_id: user.id,
    user_name: user.id.toLowerCase(),
    command,
    text,
    api_app_id: 'A0SAMLA',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: trigger(),
  };
  const res = await post(h, new URLSearchParams(fields).toString(), FORM, opts);
  return { ...res, responseUrl, triggerId: fields.trigger_id };
}

export interface ButtonInMessage {
  action_id: string;
  value: string;
  block_id?: string;
}

/** The buttons of a rendered message or view, in order. */
export function buttonsOf(blocks: unknown): ButtonInMessage[] {
  const out: ButtonInMessage[] = [];
  for (const b of (blocks as { type: string; block_id?: string; elements?: { type: string; action_id: string; value: string }[] }[]) ?? []) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements ?? []) if (e.type === 'button') out.push({ action_id: e.action_id, value: e.value, ...(b.block_id ? { block_id: b.block_id } : {}) });
  }
  return out;
}

/** The button whose payload has action `a` (and, if given, value `v`). */
export function button(blocks: unknown, a: string, v?: string): ButtonInMessage {
  const found = buttonsOf(blocks).find((b) => {
    const p = JSON.parse(b.value) as ActionPayload;
    return p.a === a && (v === undefined || p.v === v);
  });
  if (!found) throw new Error(`No button ${a}${v ? ` ${v}` : ''} in ${JSON.stringify(buttonsOf(blocks).map((b) => b.action_id))}`);
  return found;
}

/** A block_actions payload for a click on `btn` in a message (or in the App Home with `inHome`). */
export async function click(
  h: Harness,
  user: { id: string },
  btn: ButtonInMessage,
  where: { channel?: string; ts?: string; inHome?: boolean; ephemeral?: boolean } = {},
  opts: SignOptions = {},
) {
  const responseUrl = where.inHome ? undefined : h.fake.responseUrl();
  const container = where.inHome
    ? { type: 'view', view_id: 'V0HOME' }
    : { type: 'message', message_ts: where.ts ?? '1800000000.000100', channel_id: where.channel ?? `D${user.id.slice(1)}`, is_ephemeral: where.ephemeral ?? false };
  const payload = {
    type: 'block_actions',
    user: { id: user.id, username: user.id.toLowerCase(), name: user.id.toLowerCase(), team_id: 'T0SAMLA' },
    api_app_id: 'A0SAMLA',
    token: 'deprecated-verification-token',
    container,
    trigger_id: trigger(),
    team: { id: 'T0SAMLA', domain: 'samla-test' },
    enterprise: null,
    is_enterprise_install: false,
    ...(where.inHome ? { view: { id: 'V0HOME', type: 'home' } } : { channel: { id: container.channel_id, name: 'directmessage' }, message: { type: 'message', ts: container.message_ts } }),
    ...(responseUrl ? { response_url: responseUrl } : {}),
    actions: [{ action_id: btn.action_id, block_id: btn.block_id ?? 'b0', type: 'button', value: btn.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1800000000.1' }],
  };
  const res = await post(h, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM, opts);
  return { ...res, responseUrl };
}

type Answer = string | string[] | undefined;

/**
 * The `state.values` Slack would send for a modal the fake received (views.open), with these
 * answers by field (block) id: a string for text, a choice or a date, a list for checkboxes.
 */
export function stateFor(view: { blocks: unknown[] }, answers: Record<string, Answer>): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of view.blocks as { type: string; block_id: string; element?: { type: string; action_id: string; options?: { text: unknown; value: string }[] } }[]) {
    if (b.type !== 'input' || !b.element) continue;
    const el = b.element;
    const a = answers[b.block_id];
    const opt = (v: string) => el.options?.find((o) => o.value === v) ?? { text: { type: 'plain_text', text: v }, value: v };
    let state: Record<string, unknown>;
    switch (el.type) {
      case 'plain_text_input':
        state = { type: el.type, value: typeof a === 'string' ? a : null };
        break;
      case 'radio_buttons':
      case 'static_select':
        state = { type: el.type, selected_option: typeof a === 'string' ? opt(a) : null };
        break;
      case 'checkboxes':
      case 'multi_static_select':
        state = { type: el.type, selected_options: (Array.isArray(a) ? a : []).map(opt) };
        break;
      case 'datepicker':
        state = { type: el.type, selected_date: typeof a === 'string' ? a : null };
        break;
      default:
        state = { type: el.type };
    }
    values[b.block_id] = { [el.action_id]: state };
  }
  return values;
}

/** A view_submission for a modal the fake received, filled with `answers`. */
export async function submit(h: Harness, user: { id: string }, view: Record<string, unknown>, answers: Record<string, Answer>, opts: SignOptions = {}) {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0SAMLA', domain: 'samla-test' },
    user: { id: user.id, username: user.id.toLowerCase(), name: user.id.toLowerCase(), team_id: 'T0SAMLA' },
    api_app_id: 'A0SAMLA',
    token: 'deprecated-verification-token',
    trigger_id: trigger(),
    view: {
      id: view.id ?? 'V0MODAL',
      team_id: 'T0SAMLA',
      type: 'modal',
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values: stateFor(view as { blocks: unknown[] }, answers) },
      hash: 'h0',
      title: view.title,
      previous_view_id: null,
      root_view_id: view.id ?? 'V0MODAL',
      app_id: 'A0SAMLA',
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return post(h, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM, opts);
}

/** An Events API envelope (JSON) around `event`. */
export async function event(h: Harness, ev: Record<string, unknown>, opts: SignOptions & { eventId?: string } = {}) {
  const body = {
    token: 'deprecated-verification-token',
    team_id: 'T0SAMLA',
    api_app_id: 'A0SAMLA',
    event: { event_ts: '1800000000.000300', ...ev },
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: 'T0SAMLA', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
  return post(h, JSON.stringify(body), 'application/json', opts);
}

/** The modal of the last views.open call (from position `from` on). */
export async function openedView(h: Harness, from: number): Promise<Record<string, unknown> & { blocks: Record<string, unknown>[] }> {
  const call: RecordedCall = await h.fake.waitFor('views.open', undefined, { from });
  return call.args.view as Record<string, unknown> & { blocks: Record<string, unknown>[] };
}

/** The text of a response_url answer (or DM) the fake received, blocks included. */
export function spoken(call: RecordedCall): string {
  const blocks = (call.args.blocks as { text?: { text?: string }; elements?: { text?: string }[] }[] | undefined) ?? [];
  return [String(call.args.text ?? ''), ...blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text ?? '')])].join('\n');
}
