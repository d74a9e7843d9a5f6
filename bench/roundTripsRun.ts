/**
 * One measurement for bench/roundTrips.bench.ts, in a process of its own:
 *
 *   node --import tsx bench/roundTripsRun.ts <root> <redisUrl> <prefix>
 *
 * `<root>` is the Samla tree whose code is measured (this repository, or an older revision
 * extracted by the bench for the "before" figures); the fakes come from this repository. Prints
 * one JSON line: round trips per Slack `/status` and per Teams check-in answer.
 *
 * How a round trip is counted: the app's Redis connections go through a TCP proxy on
 * 127.0.0.1 (./redisTripProxy.ts). Per connection, a round trip starts when the client writes
 * while it has no write outstanding since Redis last answered: commands written before the first
 * reply comes back (a pipeline, a MULTI, or independent commands issued together) are one trip;
 * a command written after a reply arrived is the next. That is the number of times a request
 * waits on Redis, measured on the wire, whatever the code does inside.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { FakeBotConnector } from '../test/fakes/botConnector.ts';
import { startFakeSlackApi } from '../test/fakes/slackApi.ts';
import { startTripProxy } from './redisTripProxy.ts';

const [root, redisUrl, prefix] = process.argv.slice(2) as [string, string, string];
const load = <T>(rel: string): Promise<T> => import(pathToFileURL(path.join(root, rel)).href) as Promise<T>;

/* eslint-disable @typescript-eslint/no-explicit-any */
const { RedisStore, RedisIdentityStore } = await load<any>('adapters/redis/store.ts');
const { slackPlugin } = await load<any>('adapters/slack/app.ts');
const { teamsPlugin } = await load<any>('adapters/teams/app.ts');
const config = await load<any>('src/app/config.ts');
const main = await load<any>('src/app/main.ts');
const { loadTexts } = await load<any>('src/app/prompts.ts');
const { startServer } = await load<any>('src/app/server.ts');
const { redisOptions } = await load<any>('src/app/redis.ts');
const { parseNetworkFile } = await load<any>('src/core/networkFile.ts');
const { checkinMessage } = await load<any>('src/core/journeys/checkin.ts');
/* eslint-enable @typescript-eslint/no-explicit-any */

const SECRET = 'trips-signing-secret-0123456789';
const NOW = new Date('2027-02-07T09:00:00Z');
const NETWORK = 'agder-helse-2027';
const OLA = { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' };
const TONE = { id: '29:tone', name: 'Tone Aas', aadObjectId: 'aad-tone', email: 'tone.aas@arendal.example.no' };
const TENANT = '0d7f3c2e-1111-4a4a-9b9b-a9de00000001';
const example = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'examples', 'network.yaml');

const direct = new Redis(redisUrl);
const proxy = await startTripProxy(redisUrl);
const slack = await startFakeSlackApi();
slack.users.set(OLA.id, { id: OLA.id, email: OLA.email });
const teams = await FakeBotConnector.start();
teams.addMembers([TONE]);

const seed = new RedisStore(direct, { prefix });
await seed.importNetwork(parseNetworkFile(readFileSync(example, 'utf8'), example), { now: NOW });

const appRedis = new Redis(proxy.url, redisOptions());
appRedis.on('error', () => {});
await appRedis.connect();
const store = new RedisStore(appRedis, { prefix });
const env = { REDIS_URL: proxy.url, SAMLA_REDIS_PREFIX: prefix, NODE_ENV: 'test', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-trips', SLACK_API_URL: slack.apiUrl };
const logger = pino({ level: 'silent' });
// Wired as the composition root wires it: buildAppDeps + the one environment schema where the tree
// has them (after issue 11), else the older AppDeps of raw settings that the plugins completed.
const deps = main.buildAppDeps
  ? main.buildAppDeps({ settings: (await load<any>('src/app/env.ts')).readEnv(env), redis: appRedis, logger, now: () => NOW })
  : {
      config: config.readConfig(env),
      env,
      redis: appRedis,
      store,
      identities: new RedisIdentityStore(appRedis, { prefix }),
      journeys: { store, texts: loadTexts(), now: () => NOW },
      logger,
    };
const teamsApp = teamsPlugin(deps);
const server = await startServer(deps, [slackPlugin(deps), teamsApp], 0, '127.0.0.1');
const base = `http://127.0.0.1:${server.port}`;
const settle = () => new Promise((r) => setTimeout(r, 150));

/** One signed `/status`: round trips until views.open reached Slack, and in all. */
async function status(): Promise<{ beforeModal: number; total: number }> {
  const trigger = `${Date.now()}.${randomUUID()}`;
  const body = new URLSearchParams({ team_id: 'T0SAMLA', channel_id: 'D0OLA', user_id: OLA.id, command: '/status', text: '', response_url: slack.responseUrl(), trigger_id: trigger }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  const from = slack.mark();
  await settle();
  proxy.reset();
  let beforeModal = -1;
  const opened = slack.waitFor('views.open', (c) => c.args.trigger_id === trigger, { from }).then(() => (beforeModal = proxy.trips()));
  const res = await fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`/status answered HTTP ${res.status}`);
  await opened;
  await settle();
  return { beforeModal, total: proxy.trips() };
}

function activity(extra: Record<string, unknown>) {
  return {
    id: `msg-${randomUUID()}`,
    timestamp: NOW.toISOString(),
    serviceUrl: teams.url,
    channelId: 'msteams',
    from: { id: TONE.id, name: TONE.name, aadObjectId: TONE.aadObjectId },
    recipient: { id: '28:samla-bot', name: 'Samla' },
    locale: 'nb-NO',
    conversation: { id: `a:personal-${TONE.id}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

async function post(a: unknown): Promise<void> {
  const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`/api/messages answered HTTP ${res.status}`);
}

/** One check-in form submitted in Teams (Action.Submit on the card the scheduler sent). */
async function checkinAnswer(n: number): Promise<{ untilAnswer: number; total: number }> {
  const def = await seed.getNetwork(NETWORK);
  const g = def.gatherings[0];
  const sent = await teamsApp.platform.sendToPerson(TONE.email, checkinMessage(deps.journeys, def, g, { municipality: '4203', locale: 'nb' }));
  const card = teams.callsOf('send').at(-1)!.body as { attachments: { content: { actions?: { type: string; data: Record<string, unknown> }[] } }[] };
  const submit = JSON.stringify(card.attachments[0]!.content).match(/"data":(\{"samla":\{[^}]*\}\})/);
  if (!submit) throw new Error('The check-in card has no submit action');
  const data = JSON.parse(submit[1]!) as Record<string, unknown>;
  await settle();
  proxy.reset();
  await post(
    activity({
      type: 'message',
      replyToId: sent.message,
      value: { ...data, attending: n % 2 ? 'ja' : 'nei', prepared: 'delvis', need: `Eksempler ${n}` },
      channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId: sent.message } },
    }),
  );
  const untilAnswer = proxy.trips();
  await settle();
  return { untilAnswer, total: proxy.trips() };
}

try {
  // Warm-up: Ola's identity is cached by the first users.info; Tone's chat is known after "hjelp".
  for (let i = 0; i < 3; i++) await status();
  await post(activity({ type: 'message', text: 'hjelp', textFormat: 'plain' }));
  await checkinAnswer(0);
  const statusRuns = [await status(), await status(), await status()];
  const checkinRuns = [await checkinAnswer(1), await checkinAnswer(2), await checkinAnswer(3)];
  const answers = await seed.listCheckins(NETWORK, 'samling-1');
  if (!answers.some((a: { email: string; answers?: Record<string, string> }) => a.email === TONE.email && a.answers?.need === 'Eksempler 3')) {
    throw new Error('The check-in answer was not stored');
  }
  process.stdout.write(`${JSON.stringify({ status: statusRuns, checkin: checkinRuns })}\n`);
} finally {
  await server.close();
  appRedis.disconnect();
  await proxy.close();
  await slack.close();
  await teams.close();
  let cursor = '0';
  do {
    const [next, keys] = await direct.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await direct.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await direct.quit();
}
