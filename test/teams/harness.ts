/**
 * Samla's HTTP server with the Teams plugin on a free port, a fake Bot Connector, a real Redis
 * under a fresh prefix, the example network imported and a clock the test moves. Activities are
 * built in the shapes Teams sends and POSTed to /api/messages over real HTTP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { expect } from 'vitest';
import type { RedisStore } from '../../adapters/redis/store.ts';
import { type TeamsPlugin, teamsPlugin } from '../../adapters/teams/app.ts';
import type { AdaptiveCard } from '../../adapters/teams/cards.ts';
import type { AppDeps } from '../../src/app/deps.ts';
import { readEnv } from '../../src/app/env.ts';
import { buildAppDeps } from '../../src/app/main.ts';
import { type RunningServer, startServer } from '../../src/app/server.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { parseNetworkFile } from '../../src/core/networkFile.ts';
import { type TestRedis, testRedis } from '../helpers/redis.ts';
import { FakeBotConnector, type FakeMember } from '../fakes/botConnector.ts';

export const BOT_ID = '28:samla-bot';
export const TENANT = '0d7f3c2e-1111-4a4a-9b9b-a9de00000001';
export const NETWORK = 'agder-helse-2027';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The example network: the repository's examples/network.yaml through the real parser. */
export function loadExampleNetwork(): NetworkDefinition {
  const file = path.join(root, 'examples', 'network.yaml');
  return parseNetworkFile(readFileSync(file, 'utf8'), file);
}

/** People of the example network as Teams knows them. */
export const PEOPLE = {
  kjetil: { id: '29:kjetil', name: 'Kjetil Dahl', aadObjectId: 'aad-kjetil', email: 'Kjetil.Dahl@arendal.example.no', userPrincipalName: 'kjetil.dahl@arendal.example.no' },
  hilde: { id: '29:hilde', name: 'Hilde Vik', aadObjectId: 'aad-hilde', email: 'hilde.vik@arendal.example.no' },
  // Tone's mail differs from the network file; her UPN matches.
  tone: { id: '29:tone', name: 'Tone Aas', aadObjectId: 'aad-tone', email: 'tone.aas@post.arendal.example.no', userPrincipalName: 'tone.aas@arendal.example.no' },
  eirik: { id: '29:eirik', name: 'Eirik Solberg', aadObjectId: 'aad-eirik', email: 'eirik.solberg@lyngdal.example.no' },
  stranger: { id: '29:stranger', name: 'Sara Fremmed', aadObjectId: 'aad-stranger', email: 'sara@elsewhere.example.no' },
} satisfies Record<string, FakeMember>;

export type Who = (typeof PEOPLE)[keyof typeof PEOPLE];

export interface Harness {
  fake: FakeBotConnector;
  server: RunningServer;
  plugin: TeamsPlugin;
  deps: AppDeps;
  /** The app's own store, on `appRedis`. */
  store: RedisStore;
  /** The test's Redis (prefix, cleanup); the app uses its own connection, `appRedis`. */
  redis: TestRedis;
  appRedis: Redis;
  clock: { now: Date };
  /** POSTs an activity to /api/messages; returns the HTTP status and parsed body. */
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: NodeJS.ProcessEnv;
  now?: Date;
  /** Import the example network (default true), or this one. */
  network?: boolean | NetworkDefinition;
  logger?: Logger;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const redis = await testRedis();
  const fake = await FakeBotConnector.start();
  fake.addMembers(Object.values(PEOPLE));
  const clock = { now: opts.now ?? new Date('2027-01-25T10:00:00Z') };
  const appRedis = redis.redis.duplicate();
  appRedis.on('error', () => {});
  const env = { REDIS_URL: redis.url, SAMLA_REDIS_PREFIX: redis.prefix, NODE_ENV: 'test', ...(opts.env ?? {}) };
  const deps = buildAppDeps({ settings: readEnv(env), redis: appRedis, logger: opts.logger ?? pino({ level: 'silent' }), now: () => clock.now });
  const { store } = deps;
  if (opts.network !== false) await store.importNetwork(typeof opts.network === 'object' ? opts.network : loadExampleNetwork(), { now: clock.now });
  const plugin = teamsPlugin(deps);
  const server = await startServer(deps, [plugin], 0, '127.0.0.1');
  const base = `http://127.0.0.1:${server.port}`;
  return {
    fake,
    server,
    plugin,
    deps,
    store,
    redis,
    appRedis,
    clock,
    async post(activity, headers = {}) {
      const res = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    },
    async close() {
      await server.close();
      await fake.close();
      appRedis.disconnect();
      await redis.cleanup();
    },
  };
}

/* ---------- activities as Teams sends them ---------- */

function base(h: Harness, who: Who) {
  return {
    id: `msg-${randomUUID()}`,
    timestamp: h.clock.now.toISOString(),
    serviceUrl: h.fake.url,
    channelId: 'msteams',
    from: { id: who.id, name: who.name, aadObjectId: who.aadObjectId },
    recipient: { id: BOT_ID, name: 'Samla' },
    locale: 'nb-NO',
  };
}

export function personalConversation(who: Who) {
  return { id: `a:personal-${who.id}`, conversationType: 'personal', tenantId: TENANT };
}

/** A message in the person's personal chat with Samla. */
export function personalMessage(h: Harness, who: Who, text: string, extra: Record<string, unknown> = {}) {
  return {
    ...base(h, who),
    type: 'message',
    text,
    textFormat: 'plain',
    conversation: personalConversation(who),
    channelData: { tenant: { id: TENANT } },
    entities: [{ type: 'clientInfo', locale: 'nb-NO', platform: 'Web' }],
    ...extra,
  };
}

export const TEAM = { id: '19:team-arendal@thread.tacv2', name: 'Arendal helse' };
export const STEERING_CHANNEL = { id: '19:steering-arendal@thread.tacv2', name: 'Styringsgruppen' };

/** A channel message that @mentions Samla ("<at>Samla</at> link steering 4203"). */
export function channelMention(h: Harness, who: Who, text: string) {
  const mention = '<at>Samla</at>';
  return {
    ...base(h, who),
    type: 'message',
    text: `${mention} ${text}`,
    textFormat: 'plain',
    conversation: { id: `${STEERING_CHANNEL.id};messageid=1700000000000`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: TEAM, channel: STEERING_CHANNEL, teamsChannelId: STEERING_CHANNEL.id, teamsTeamId: TEAM.id },
    entities: [{ type: 'mention', text: mention, mentioned: { id: BOT_ID, name: 'Samla' } }],
  };
}

/** The message Teams sends for an Action.Submit: no text, `value` = data + inputs, `replyToId` = the card. */
export function cardSubmit(h: Harness, who: Who, replyToId: string, value: Record<string, unknown>) {
  return {
    ...base(h, who),
    type: 'message',
    replyToId,
    value,
    conversation: personalConversation(who),
    channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId } },
  };
}

/** The invoke Teams sends for an Action.Execute (`adaptiveCard/action`). */
export function cardInvoke(h: Harness, who: Who, replyToId: string, data: Record<string, unknown>) {
  return {
    ...base(h, who),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', verb: 'samla', data }, trigger: 'manual' },
    conversation: personalConversation(who),
    channelData: { tenant: { id: TENANT }, source: { name: 'message' } },
  };
}

/** Samla added to a team (installationUpdate, then conversationUpdate with Samla in membersAdded). */
export function teamInstall(h: Harness, who: Who) {
  return {
    ...base(h, who),
    type: 'installationUpdate',
    action: 'add',
    conversation: { id: TEAM.id, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: TEAM, channel: { id: TEAM.id }, source: { name: 'message' } },
  };
}

export function teamMembersAdded(h: Harness, who: Who, added: { id: string; aadObjectId?: string }[]) {
  return {
    ...base(h, who),
    type: 'conversationUpdate',
    membersAdded: added,
    conversation: { id: TEAM.id, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: TEAM, eventType: 'teamMemberAdded' },
  };
}

/* ---------- reading what Samla sent ---------- */

/** The Adaptive Card of a recorded send / reply / update. */
export function cardOf(call: { body: { attachments?: { contentType: string; content: AdaptiveCard }[] } }): AdaptiveCard {
  const att = call.body.attachments?.[0];
  expect(att?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return att!.content;
}

/** Every element of a card, depth first (inside containers and action sets too). */
export function elements(card: AdaptiveCard): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (items: unknown[]) => {
    for (const el of items as Record<string, unknown>[]) {
      out.push(el);
      for (const key of ['items', 'actions', 'columns']) if (Array.isArray(el[key])) walk(el[key] as unknown[]);
    }
  };
  walk(card.body);
  walk(card.actions ?? []);
  return out;
}

export function inputsOf(card: AdaptiveCard): Record<string, unknown>[] {
  return elements(card).filter((e) => String(e.type).startsWith('Input.'));
}

export function textsOf(card: AdaptiveCard): string[] {
  return elements(card)
    .filter((e) => e.type === 'TextBlock')
    .map((e) => String(e.text));
}

/** The submit/button actions of a card. */
export function actionsOf(card: AdaptiveCard): { title: string; data: Record<string, unknown> }[] {
  return elements(card).filter((e) => e.type === 'Action.Submit') as never;
}

/* ---------- checking cards against the Adaptive Cards version they declare ---------- */

const requireCjs = createRequire(import.meta.url);
// The package's ESM build imports without file extensions; its UMD bundle loads in Node.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const AC: any = requireCjs('adaptivecards/dist/adaptivecards.js');

/**
 * Parses a card with the `adaptivecards` library at the version the card declares and returns
 * every warning and validation error (unknown elements, properties newer than the version,
 * duplicate ids...). An empty list means the card is valid for its version.
 */
export function cardProblems(card: AdaptiveCard): string[] {
  const version = AC.Version.parse(card.version, new AC.SerializationContext());
  const ctx = new AC.SerializationContext(version);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  const out: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) out.push(ctx.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) out.push(e.message);
  if (!card.$schema) out.push('no $schema');
  return out;
}
