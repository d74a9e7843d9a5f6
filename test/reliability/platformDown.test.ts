/**
 * A platform API down for a while: Slack's Web API (through the real SlackPlatform) and the Bot
 * Connector (through the real TeamsPlatform) first answer 503, then refuse connections, then come
 * back. The deliveries wait, retry with backoff and are finally delivered, each once.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisIdentityStore } from '../../adapters/redis/store.ts';
import { SlackPlatform } from '../../adapters/slack/platform.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';
import { RecordingPlatform } from '../helpers/recordingPlatform.ts';
import { deleteUnder, redisUrl } from '../helpers/redis.ts';
import { FakeClock, oslo, startNode, testConfig, type Node } from '../helpers/scheduler.ts';
import { PEOPLE, personalMessage, startHarness, type Harness } from '../teams/harness.ts';
import { sleep, until } from './helpers.ts';
import { SwitchProxy } from './switchProxy.ts';

const NETWORK = 'agder-helse-2027';
const outage = testConfig({ attempts: 12, backoffMs: 100, maxBackoffMs: 600 });
let fake: FakeSlackApi | undefined;
let proxy: SwitchProxy | undefined;
let node: Node | undefined;
let teams: Harness | undefined;
let teamsProxy: SwitchProxy | undefined;
let teamsRuntime: DeliveryRuntime | undefined;
const prefix = `samla-test:${randomBytes(6).toString('hex')}:`;

afterAll(async () => {
  await node?.runtime.close();
  if (node) await deleteUnder(node.redis, prefix);
  await node?.redis.quit();
  await fake?.close();
  await proxy?.close();
  await teamsRuntime?.close();
  await teams?.close();
  await teamsProxy?.close();
});

/** 503 for `ms503`, connection refused for `msDown`, then up again. */
async function outageOf(p: SwitchProxy, ms503: number, msDown: number): Promise<number> {
  await p.set('503');
  await sleep(ms503);
  await p.set('down');
  await sleep(msDown);
  await p.set('up');
  return Date.now();
}

describe('Slack’s Web API down for a while', () => {
  it('retries the DMs until Slack answers again, and sends each once', async () => {
    fake = await startFakeSlackApi();
    for (const [id, email] of [
      ['U0OLA', 'ola.hansen@kristiansand.example.no'],
      ['U0SIRI', 'siri.lund@kristiansand.example.no'],
      ['U0PER', 'per.berg@kristiansand.example.no'],
      ['U0LARS', 'lars.eide@flekkefjord.example.no'],
    ] as const) {
      fake.users.set(id, { id, email });
    }
    proxy = new SwitchProxy(fake.apiUrl);
    await proxy.start();
    const clock = new FakeClock(oslo('2027-01-19T12:00'));
    node = await startNode({ url: redisUrl(), prefix, clock, config: outage });
    const slack = SlackPlatform.create(
      { botToken: 'xoxb-samla-test-token', signingSecret: 'x'.repeat(16), apiUrl: `${proxy.url}api/` },
      new RedisIdentityStore(node.redis, { prefix }),
      pino({ level: 'silent' }),
    );
    await node.store.importNetwork(exampleNetwork(), { now: clock.now() });
    const down = outageOf(proxy, 1200, 1200);
    const started = Date.now();
    await node.runtime.tick(clock.set('2027-01-20T09:00'));
    node.runtime.startWorkers({ slack, teams: new RecordingPlatform('teams', clock.now) });
    const upAt = await down;
    await node.runtime.drain(20_000);
    const deliveredMs = Date.now() - started;

    const posted = fake.calls('chat.postMessage');
    expect(posted).toHaveLength(4);
    expect(new Set(posted.map((c) => c.args.channel)).size).toBe(4);
    expect(Math.min(...posted.map((c) => c.at))).toBeGreaterThanOrEqual(upAt - 50); // nothing got through the outage
    expect(await node.runtime.queues.failed()).toEqual([]);
    const records = await Promise.all(
      ['ola.hansen@kristiansand.example.no', 'siri.lund@kristiansand.example.no', 'per.berg@kristiansand.example.no', 'lars.eide@flekkefjord.example.no'].map((e) =>
        node!.runtime.schedule.get(NETWORK, `${NETWORK}:task:samling-1:forankring:${e.includes('flekkefjord') ? '4207' : '4204'}:${e}`),
      ),
    );
    expect(records.map((r) => r?.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const attempts = records.map((r) => (r as { attempts?: number }).attempts ?? 0);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    console.log(
      `[platform down] Slack: 503 for 1.2 s, refused for 1.2 s; ${proxy.seen.unavailable} calls answered 503; all 4 DMs delivered once ${deliveredMs} ms after the pass, ` +
        `${Date.now() - upAt} ms after Slack came back; tries per DM ${attempts.join('/')}`,
    );
  }, 40_000);
});

describe('the Bot Connector down for a while', () => {
  it('retries the Teams messages until the connector answers again, and sends each once', async () => {
    teams = await startHarness({ now: new Date('2027-01-19T12:00:00Z') });
    teamsProxy = new SwitchProxy(teams.fake.url);
    await teamsProxy.start();
    // Kjetil, Hilde and Eirik have talked to Samla (through the proxy's serviceUrl): Samla has their chats.
    for (const who of [PEOPLE.kjetil, PEOPLE.hilde, PEOPLE.eirik]) {
      expect((await teams.post(personalMessage(teams, who, 'hjelp', { serviceUrl: teamsProxy.url }))).status).toBe(200);
    }
    teams.fake.reset();
    const at = oslo('2027-01-20T09:00');
    teamsRuntime = new DeliveryRuntime({ redis: teams.appRedis, store: teams.store, texts: loadTexts(), prefix: teams.redis.prefix, clock: () => at, config: outage });
    const down = outageOf(teamsProxy, 1200, 1200);
    const started = Date.now();
    await teamsRuntime.tick(at);
    teamsRuntime.startWorkers({ teams: teams.plugin.platform, slack: new RecordingPlatform('slack', () => at) });
    const upAt = await down;
    await until(async () => teams!.fake.callsOf('send').length >= 3, 20_000, 'the Teams messages');
    await teamsRuntime.drain(20_000);
    const sends = teams.fake.callsOf('send');
    const deliveredMs = Date.now() - started;
    expect(sends).toHaveLength(3);
    expect(new Set(sends.map((c) => c.conversationId))).toEqual(new Set(['a:personal-29:kjetil', 'a:personal-29:hilde', 'a:personal-29:eirik']));
    const failed = await teamsRuntime.queues.failed();
    expect(failed.map((f) => f.email)).toEqual(['marit.hauge@lyngdal.example.no']); // never talked to Samla: no chat to send to
    console.log(`[platform down] Teams: 503 for 1.2 s, refused for 1.2 s; ${teamsProxy.seen.unavailable} calls answered 503; 3 messages delivered once ${deliveredMs} ms after the pass, ${Date.now() - upAt} ms after the connector came back`);
  }, 40_000);
});
