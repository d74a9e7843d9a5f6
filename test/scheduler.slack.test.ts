/**
 * End to end through the real Slack adapter: a scheduler pass, the delivery worker, SlackPlatform
 * (Bolt's WebClient over HTTP) and the fake Slack Web API on 127.0.0.1 (test/fakes/slackApi.ts).
 * A 429 with Retry-After is waited out, a user Slack does not know fails permanently (and is
 * listed as unreachable), and every DM goes out once. Teams recipients go to a recording platform here.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisIdentityStore } from '../adapters/redis/store.ts';
import { SlackPlatform } from '../adapters/slack/platform.ts';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/slackApi.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { RecordingPlatform } from './helpers/recordingPlatform.ts';
import { deleteUnder, redisUrl } from './helpers/redis.ts';
import { FakeClock, oslo, startNode, type Node } from './helpers/scheduler.ts';

let fake: FakeSlackApi | undefined;
let node: Node | undefined;
const prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
afterAll(async () => {
  await node?.runtime.close();
  if (node) await deleteUnder(node.redis, prefix);
  await node?.redis.quit();
  await fake?.close();
});

describe('delivery through SlackPlatform', () => {
  it('sends the task DMs through the Web API once each, waiting out a 429 and failing an unknown user', async () => {
    fake = await startFakeSlackApi();
    for (const [id, email] of [
      ['U0OLA', 'ola.hansen@kristiansand.example.no'],
      ['U0SIRI', 'siri.lund@kristiansand.example.no'],
      ['U0PER', 'per.berg@kristiansand.example.no'],
    ]) {
      fake.users.set(id!, { id: id!, email: email! });
    } // Lars Eide (Flekkefjord) is not in this Slack workspace
    fake.script('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } }, 1);

    const clock = new FakeClock(oslo('2027-01-19T12:00'));
    const teams = new RecordingPlatform('teams', clock.now);
    node = await startNode({ url: redisUrl(), prefix, clock });
    const slack = SlackPlatform.create(
      { botToken: 'xoxb-samla-test-token', signingSecret: 'x'.repeat(16), apiUrl: fake.apiUrl },
      new RedisIdentityStore(node.redis, { prefix }),
      pino({ level: 'silent' }),
    );
    await node.store.importNetwork(exampleNetwork(), { now: clock.now() });
    const started = Date.now();
    await node.runtime.tick(clock.set('2027-01-20T09:00'));
    node.runtime.startWorkers({ slack, teams });
    await node.runtime.drain(15_000);

    const posted = fake.calls('chat.postMessage');
    expect(posted).toHaveLength(4); // one 429, then one DM each to Ola, Siri and Per
    expect(new Set(posted.slice(1).map((c) => c.args.channel)).size).toBe(3);
    const limited = posted[0]!;
    const retried = posted.slice(1).find((c) => c.args.channel === limited.args.channel)!;
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(900); // Retry-After: 1 s, for the whole queue
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(teams.accepted).toHaveLength(4);

    const failed = await node.runtime.queues.failed();
    expect(failed).toEqual([expect.objectContaining({ email: 'lars.eide@flekkefjord.example.no', attempts: 1, platform: 'slack' })]);
    expect(failed[0]!.reason).toContain('users_not_found');
    // Slack has no user with Lars's email: he is listed as unreachable, for the organisers' digest.
    expect(await node.store.listUnreachable('agder-helse-2027')).toEqual([
      expect.objectContaining({ email: 'lars.eide@flekkefjord.example.no', name: 'Lars Eide', platform: 'slack', reason: 'users_not_found' }),
    ]);
    const ola = await node.runtime.schedule.sentRef('agder-helse-2027', 'agder-helse-2027:task:samling-1:forankring:4204:ola.hansen@kristiansand.example.no');
    expect(ola).toMatchObject({ platform: 'slack', conversation: 'D0OLA' });
  });
});
