/**
 * The lagging features in Slack and Teams at once: one Samla server with both plugins on one
 * store, the fake Slack Web API and the fake Bot Connector, signed Slack requests and Teams
 * activities over real HTTP.
 *
 * - A check-in answered in Teams and one answered in Slack are the same record and count the
 *   same in the digest's readiness.
 * - `/samla digest` in Slack and `digest` in Teams: organisers get the digest; others are told why.
 * - "We met" from a steering-group nudge in a Slack channel: the modal, and the meeting recorded.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../adapters/redis/store.ts';
import { slackPlugin } from '../adapters/slack/app.ts';
import { SlackPlatform } from '../adapters/slack/platform.ts';
import { teamsPlugin, type TeamsPlugin } from '../adapters/teams/app.ts';
import { readEnv } from '../src/app/env.ts';
import { buildAppDeps } from '../src/app/main.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { startServer, type RunningServer } from '../src/app/server.ts';
import { checkinMessage } from '../src/core/journeys/checkin.ts';
import { currentDigest } from '../src/core/lagging/records.ts';
import { nudgeMessage } from '../src/core/lagging/nudges.ts';
import { signalsFor, emptyRecords } from '../src/core/lagging/signals.ts';
import type { CheckinAnswer, NetworkDefinition } from '../src/core/model.ts';
import { FakeBotConnector } from './fakes/botConnector.ts';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/slackApi.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';
import * as slackH from './slack/harness.ts';
import * as teamsH from './teams/harness.ts';

const NETWORK = 'agder-helse-2027';
const SLACK_USERS = {
  ola: { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' },
  siri: { id: 'U0SIRI', email: 'siri.lund@kristiansand.example.no' },
  anne: { id: 'U0ANNE', email: 'anne.moe@kristiansand.example.no' },
  ingrid: { id: 'U0INGRID', email: 'ingrid.fjeld@example.no', locale: 'en-GB' },
};
const INGRID_IN_TEAMS = { id: '29:ingrid', name: 'Ingrid Fjeld', aadObjectId: 'aad-ingrid', email: 'ingrid.fjeld@example.no' };

let db: TestRedis;
let slackApi: FakeSlackApi;
let connector: FakeBotConnector;
let server: RunningServer;
let store: RedisStore;
let def: NetworkDefinition;
let teams: TeamsPlugin;
let slack: SlackPlatform;
const clock = { now: new Date('2027-02-07T09:00:00Z') }; // three days before samling 1: the check-in is out
/** What the Slack harness helpers need. */
let sh: slackH.Harness;
/** What the Teams harness helpers need. */
let th: teamsH.Harness;

beforeAll(async () => {
  db = await testRedis();
  slackApi = await startFakeSlackApi();
  for (const u of Object.values(SLACK_USERS)) slackApi.users.set(u.id, { ...u });
  connector = await FakeBotConnector.start();
  connector.addMembers([...Object.values(teamsH.PEOPLE), INGRID_IN_TEAMS]);
  const env = { REDIS_URL: db.url, SAMLA_REDIS_PREFIX: db.prefix, NODE_ENV: 'test', SLACK_SIGNING_SECRET: slackH.SIGNING_SECRET, SLACK_BOT_TOKEN: slackH.BOT_TOKEN, SLACK_API_URL: slackApi.apiUrl };
  const deps = buildAppDeps({ settings: readEnv(env), redis: db.redis, logger: pino({ level: 'silent' }), now: () => clock.now });
  store = deps.store;
  const { identities } = deps;
  def = slackH.loadExampleNetwork();
  await store.importNetwork(def, { now: clock.now });
  teams = teamsPlugin(deps);
  server = await startServer(deps, [slackPlugin(deps), teams], 0, '127.0.0.1');
  const base = `http://127.0.0.1:${server.port}`;
  slack = SlackPlatform.create({ botToken: slackH.BOT_TOKEN, signingSecret: 'unused-here', apiUrl: slackApi.apiUrl }, identities, deps.logger);
  sh = { fake: slackApi, url: `${base}/slack/events` } as unknown as slackH.Harness;
  th = {
    fake: connector,
    clock,
    async post(activity: unknown) {
      const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  } as unknown as teamsH.Harness;
});
afterAll(async () => {
  await server?.close();
  await slackApi?.close();
  await connector?.close();
  await db?.cleanup();
});

describe('a check-in answered in Slack and one answered in Teams', () => {
  it('are the same record and count the same in the digest’s readiness', async () => {
    const g = def.gatherings[0]!;
    const before = (await currentDigest(store, def, clock.now)).digest.readiness!;
    expect(before.checkin).toMatchObject({ answered: 0, coming: 0 });

    // Slack: Ola clicks "ja" (coming) and "delvis" (preparation) in the DM.
    const ref = await slack.sendToPerson(SLACK_USERS.ola.email, checkinMessage({ store, texts: loadTexts(), now: () => clock.now }, def, g, { municipality: '4204', locale: 'nb' }));
    const posted = slackApi.calls('chat.postMessage').at(-1)!;
    let from = slackApi.mark();
    await slackH.click(sh, SLACK_USERS.ola, slackH.button(posted.args.blocks, 'checkin.answer', 'ja'), { channel: ref.conversation, ts: ref.message });
    await slackApi.waitFor('chat.update', undefined, { from });
    from = slackApi.mark();
    await slackH.click(sh, SLACK_USERS.ola, slackH.button(posted.args.blocks, 'checkin.answer', 'delvis'), { channel: ref.conversation, ts: ref.message });
    await slackApi.waitFor('chat.update', undefined, { from });
    const afterSlack = (await currentDigest(store, def, clock.now)).digest.readiness!;

    // Teams: Tone fills in the check-in card.
    await th.post(teamsH.personalMessage(th, teamsH.PEOPLE.tone, 'hjelp'));
    const sent = await teams.platform.sendToPerson('tone.aas@arendal.example.no', checkinMessage({ store, texts: loadTexts(), now: () => clock.now }, def, g, { municipality: '4203', locale: 'nb' }));
    const card = teamsH.cardOf(connector.callsOf('send').at(-1)!);
    const submit = teamsH.actionsOf(card).at(-1)!;
    await th.post(teamsH.cardSubmit(th, teamsH.PEOPLE.tone, sent.message, { ...submit.data, attending: 'ja', prepared: 'delvis' }));
    const afterTeams = (await currentDigest(store, def, clock.now)).digest.readiness!;

    const [fromSlack] = (await store.listCheckins(NETWORK, 'samling-1')).filter((c) => c.municipality === '4204');
    const [fromTeams] = (await store.listCheckins(NETWORK, 'samling-1')).filter((c) => c.municipality === '4203');
    const shape = (c: CheckinAnswer) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v]));
    expect(shape(fromSlack!)).toEqual(shape(fromTeams!));
    expect(fromSlack).toEqual({ network: NETWORK, gathering: 'samling-1', municipality: '4204', email: SLACK_USERS.ola.email, answers: { attending: 'ja', prepared: 'delvis' }, at: clock.now.toISOString() });
    expect(fromTeams).toEqual({ ...fromSlack, municipality: '4203', email: 'tone.aas@arendal.example.no' });
    // Each answer counts once: answered and coming went up by one with each platform.
    expect([before, afterSlack, afterTeams].map((r) => [r.checkin.answered, r.checkin.coming])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(afterTeams.checkin.asked).toBe(before.checkin.asked);
  });
});

describe('the digest on demand', () => {
  it('/samla digest shows an organiser the digest, in their language', async () => {
    const res = await slackH.slash(sh, SLACK_USERS.ingrid, '/samla', 'digest');
    expect(res.status).toBe(200);
    const answer = await slackApi.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    const text = slackH.spoken(answer);
    expect(text).toContain('Weekly digest for Læringsnettverk helse og omsorg Agder 2027');
    expect(text).toContain('As it looks now. No weekly digest has been sent yet, so nothing is marked new.');
    expect(text).toContain('Readiness for Oppstartssamling');
    expect(answer.args.response_type).toBe('ephemeral');
  });

  it('/samla digest tells a project leader why not', async () => {
    const res = await slackH.slash(sh, SLACK_USERS.ola, '/samla', 'digest');
    const answer = await slackApi.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    expect(slackH.spoken(answer)).toContain('Ukesoversikten er bare for arrangørene av nettverket.');
    expect(slackH.spoken(answer)).not.toContain('Kristiansand');
  });

  it('digest in Teams: the digest card for an organiser, the reason for anyone else', async () => {
    connector.reset();
    await th.post(teamsH.personalMessage(th, INGRID_IN_TEAMS, 'digest'));
    const card = teamsH.cardOf(connector.lastMessage());
    expect(teamsH.cardProblems(card)).toEqual([]);
    expect(teamsH.textsOf(card).join('\n')).toContain('Weekly digest for Læringsnettverk helse og omsorg Agder 2027');
    await th.post(teamsH.personalMessage(th, teamsH.PEOPLE.kjetil, 'digest'));
    expect(connector.lastMessage().body.text).toBe('Ukesoversikten er bare for arrangørene av nettverket.');
  });

  it('digest in a Teams channel: not there, since the channel’s members may be the municipalities', async () => {
    connector.reset();
    await th.post(teamsH.channelMention(th, INGRID_IN_TEAMS, 'digest'));
    expect(connector.lastMessage().body.text).toBe('The weekly digest is shown only in a private chat with Samla, since it is about the municipalities. Type “digest” there.');
  });
});

describe('"we met" in Slack', () => {
  it('opens the form from the nudge in the steering channel and records the meeting by party', async () => {
    const kristiansand = def.municipalities.find((m) => m.id === '4204')!;
    const signals = signalsFor(def, kristiansand, emptyRecords(), new Date('2027-03-20T10:00:00Z'));
    const draft = nudgeMessage(loadTexts(), 'nb', def, { municipality: kristiansand, level: 'steering', signals, recipients: [], channel: 'C07STEER4204' });
    const ref = await slack.sendToChannel('C07STEER4204', draft);
    const posted = slackApi.calls('chat.postMessage').at(-1)!;

    // Anne is not in the steering group: she is told who can.
    let res = await slackH.click(sh, SLACK_USERS.anne, slackH.button(posted.args.blocks, 'steering.met'), { channel: ref.conversation, ts: ref.message });
    const refusal = await slackApi.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname);
    expect(slackH.spoken(refusal)).toContain('Bare styringsgruppen og prosjektleder i Kristiansand kan registrere møter i styringsgruppen.');

    const from = slackApi.mark();
    res = await slackH.click(sh, SLACK_USERS.siri, slackH.button(posted.args.blocks, 'steering.met'), { channel: ref.conversation, ts: ref.message });
    const view = await slackH.openedView(sh, from);
    expect(view).toMatchObject({ callback_id: 'steering.met' });
    const bad = await slackH.submit(sh, SLACK_USERS.siri, view, { date: '2030-01-01', attendees: [] });
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { date: 'Skriv en dato som 2027-03-30, ikke fram i tid.' } });
    const ok = await slackH.submit(sh, SLACK_USERS.siri, view, { date: '2027-02-05', attendees: ['siri.lund@kristiansand.example.no', 'per.berg@kristiansand.example.no'] });
    expect(ok.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    expect(JSON.stringify(ok.json)).toContain('Takk! Møtet 2027-02-05 er registrert med 2 deltakere.');
    const [meeting] = await store.listSteeringMeetings(NETWORK, '4204');
    expect(meeting).toMatchObject({
      date: '2027-02-05',
      loggedBy: 'siri.lund@kristiansand.example.no',
      attendees: [
        { name: 'Siri Lund', party: 'administrasjon' },
        { name: 'Per Berg', party: 'tillitsvalgt' },
      ],
    });
  });
});
