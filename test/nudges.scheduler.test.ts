/**
 * The escalation ladder walked by the scheduler on a fake clock, end to end: scheduler passes,
 * the delivery queue and worker, SlackPlatform against the fake Slack Web API and TeamsPlatform
 * against the fake Bot Connector (through Samla's Teams endpoint, where the steering channel is
 * linked with "@Samla link steering 4225").
 *
 * Kristiansand (Slack, steering channel from the network file) and Lyngdal (Teams, channel
 * linked in Teams) have had no status since the kick-off. Each climbs the ladder:
 *   Mon 15 March: the project leader (DM) ·
 *   Mon 22 March: the steering group, in its channel, naming its chair ·
 *   Tue 30 March: nothing: of the days since, Easter (25, 26, 29 March) and the weekend do not count ·
 *   Thu 1 April: the organiser (DM) · then nothing more in the episode;
 * at most one nudge a week (Tuesday 16 March: nothing); nothing in fellesferie (13 July), and
 * the ladder starts again with the project leader after it (2 August).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIdentityStore } from '../adapters/redis/store.ts';
import { SlackPlatform } from '../adapters/slack/platform.ts';
import { DeliveryRuntime } from '../src/app/deliveryRuntime.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { DEFAULT_ESCALATION } from '../src/core/lagging/nudges.ts';
import { LOCALES } from '../src/core/model.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall as SlackCall } from './fakes/slackApi.ts';
import { FakeClock, oslo, testConfig } from './helpers/scheduler.ts';
import { spoken } from './slack/harness.ts';
import { type Harness, PEOPLE, STEERING_CHANNEL, cardOf, channelMention, personalMessage, startHarness, textsOf } from './teams/harness.ts';

const NETWORK = 'agder-helse-2027';
const texts = loadTexts();
const AGENDA_TITLES = [...new Set(LOCALES.map((l) => texts.t(l, 'nudge.agenda_title')))];
const EIRIK_CHAT = `a:personal-${PEOPLE.eirik.id}`;

let teams: Harness;
let slackApi: FakeSlackApi;
let runtime: DeliveryRuntime;
const clock = new FakeClock(oslo('2027-03-15T09:00'));

beforeAll(async () => {
  teams = await startHarness({ now: clock.now() });
  slackApi = await startFakeSlackApi();
  for (const [id, email] of [
    ['U0OLA', 'ola.hansen@kristiansand.example.no'],
    ['U0SIRI', 'siri.lund@kristiansand.example.no'],
    ['U0PER', 'per.berg@kristiansand.example.no'],
    ['U0ANNE', 'anne.moe@kristiansand.example.no'],
    ['U0INGRID', 'ingrid.fjeld@example.no'],
  ] as const) {
    slackApi.users.set(id, { id, email });
  } // Lars Eide (Flekkefjord) has no Slack account: his nudges fail and he is listed as unreachable
  const prefix = teams.redis.prefix;
  const slack = SlackPlatform.create(
    { botToken: 'xoxb-samla-test-token', signingSecret: 'x'.repeat(16), apiUrl: slackApi.apiUrl },
    new RedisIdentityStore(teams.appRedis, { prefix }),
    pino({ level: 'silent' }),
  );
  runtime = new DeliveryRuntime({
    redis: teams.appRedis,
    store: teams.store,
    texts,
    prefix,
    clock: clock.now,
    config: testConfig({ nudges: { rules: DEFAULT_ESCALATION, everyMs: 0 } }),
  });
  runtime.startWorkers({ slack, teams: teams.plugin.platform });
  // Eirik has written to Samla, and linked Lyngdal's steering group to a Teams channel.
  await teams.post(personalMessage(teams, PEOPLE.eirik, 'hjelp'));
  await teams.post(channelMention(teams, PEOPLE.eirik, 'link steering 4225'));
  expect((await teams.store.steeringLinks(NETWORK))['4225']).toMatchObject({ platform: 'teams', channel: STEERING_CHANNEL.id });
});
afterAll(async () => {
  await runtime?.close();
  await slackApi?.close();
  await teams?.close();
});

interface Nudge {
  platform: 'slack' | 'teams';
  /** Slack: the DM or channel id; Teams: the conversation id. */
  to: string;
  text: string;
}

/** Runs a pass at a local Oslo time and returns the nudges it sent (calls carrying a suggested agenda). */
async function pass(local: string): Promise<Nudge[]> {
  const at = clock.set(local);
  teams.clock.now = at;
  const slackFrom = slackApi.mark();
  const teamsFrom = teams.fake.callsOf('send').length;
  await runtime.tick(at);
  await runtime.drain(15_000);
  const isNudge = (json: string) => AGENDA_TITLES.some((t) => json.includes(t));
  const slack = slackApi
    .calls('chat.postMessage')
    .filter((c: SlackCall) => c.n >= slackFrom && isNudge(JSON.stringify(c.args)))
    .map((c): Nudge => ({ platform: 'slack', to: String(c.args.channel), text: spoken(c) }));
  const viaTeams = teams.fake
    .callsOf('send')
    .slice(teamsFrom)
    .filter((c) => isNudge(JSON.stringify(c.body)))
    .map((c): Nudge => ({ platform: 'teams', to: c.conversationId!, text: textsOf(cardOf(c)).join('\n') }));
  return [...slack, ...viaTeams];
}

const where = (nudges: Nudge[]) => nudges.map((n) => `${n.platform} ${n.to}`).sort();

describe('the escalation ladder, through the scheduler', () => {
  it('asks the project leaders first, in a DM, in their language, with a suggested agenda', async () => {
    const sent = await pass('2027-03-15T10:00');
    expect(where(sent)).toEqual(['slack D0OLA', `teams ${EIRIK_CHAT}`]);
    const ola = sent.find((n) => n.to === 'D0OLA')!;
    expect(ola.text).toContain('Hei! Samla ser et par ting i Kristiansand som det kan være lurt å ta tak i før neste samling.');
    expect(ola.text).toContain('1. Status i prosjektet: ingen status er meldt siden oppstarten, 32 dager');
    const eirik = sent.find((n) => n.platform === 'teams')!;
    expect(eirik.text).toContain('Hei! Samla ser eit par ting i Lyngdal som det kan vere lurt å ta tak i før neste samling.'); // nynorsk
  });

  it('sends nothing more the same week', async () => {
    expect(await pass('2027-03-16T10:00')).toEqual([]);
  });

  it('after the grace period, the steering group in its channel, naming the chair, with the "we met" button', async () => {
    const sent = await pass('2027-03-22T10:00');
    expect(where(sent)).toEqual(['slack C07STEER4204', `teams ${STEERING_CHANNEL.id}`]);
    expect(sent.find((n) => n.platform === 'slack')!.text).toContain('Hei, styringsgruppen i Kristiansand! Her er et forslag til agenda for neste møte. Siri Lund, kan du sette det opp?');
    expect(sent.find((n) => n.platform === 'teams')!.text).toContain('Hei, styringsgruppa i Lyngdal! Her er eit forslag til agenda for neste møte. Marit Hauge, kan du setje det opp?');
    const post = slackApi.calls('chat.postMessage').find((c) => c.args.channel === 'C07STEER4204')!;
    expect(JSON.stringify(post.args.blocks)).toContain('steering.met');
  });

  it('does not count Easter or the weekend towards the grace period', async () => {
    expect(await pass('2027-03-30T10:00')).toEqual([]);
  });

  it('then the organiser, in English, once per municipality, without the button; then stops', async () => {
    const sent = await pass('2027-04-01T10:00');
    expect(where(sent)).toEqual(['slack D0INGRID', 'slack D0INGRID']);
    expect(sent.map((n) => n.text.split('\n')[1]).sort()).toEqual([
      'Kristiansand has had reminders and nothing has changed. Perhaps they need support? This is what is open:',
      'Lyngdal has had reminders and nothing has changed. Perhaps they need support? This is what is open:',
    ]);
    const toIngrid = slackApi.calls('chat.postMessage').filter((c) => c.args.channel === 'D0INGRID' && JSON.stringify(c.args).includes('Suggested agenda'));
    expect(toIngrid.every((c) => !JSON.stringify(c.args.blocks).includes('steering.met'))).toBe(true);
    expect(await pass('2027-04-08T10:00')).toEqual([]);
  });

  it('keeps the history newest first, one entry per step', async () => {
    const history = await teams.store.listNudges(NETWORK, '4204');
    expect(history.map((n) => [n.level, n.at])).toEqual([
      ['organiser', oslo('2027-04-01T10:00').toISOString()],
      ['steering', oslo('2027-03-22T10:00').toISOString()],
      ['prosjektleder', oslo('2027-03-15T10:00').toISOString()],
    ]);
    expect(history[1]).toMatchObject({ channel: 'C07STEER4204', signals: expect.arrayContaining(['status_stale']) });
    expect((await teams.store.listNudges(NETWORK, '4225')).map((n) => n.level)).toEqual(['organiser', 'steering', 'prosjektleder']);
  });

  it('is paused in fellesferie, and starts again with the project leader after it', async () => {
    expect(await pass('2027-07-13T10:00')).toEqual([]); // ISO week 28
    const after = await pass('2027-08-02T10:00'); // week 31
    expect(where(after)).toEqual(['slack D0OLA', `teams ${EIRIK_CHAT}`]);
  });

  it('records who it could not reach, for the digest', async () => {
    const unreachable = await teams.store.listUnreachable(NETWORK);
    expect(unreachable.find((u) => u.email === 'lars.eide@flekkefjord.example.no')).toMatchObject({ platform: 'slack', reason: 'users_not_found', name: 'Lars Eide' });
    expect(unreachable.find((u) => u.email === 'kjetil.dahl@arendal.example.no')).toMatchObject({ platform: 'teams', reason: 'no_reference' });
    expect(unreachable.find((u) => u.email === 'ola.hansen@kristiansand.example.no')).toBeUndefined();
  });
});
