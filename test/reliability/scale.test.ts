/**
 * Beyond one machine: three `samla start` processes (child processes of bin/samla.js, three
 * ports, one Redis, one prefix) behind a round-robin spread of requests. All three import the
 * same network file at once; status submissions (Slack) and check-ins (Teams) land on any of
 * them and are stored once each; three concurrent scheduler passes claim each prompt once, and
 * the three processes' delivery workers share the sending, each prompt delivered once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_SECRET, LoadConnector, checkinActivity, deletePrefix, signedStatusSubmission } from '../../bench/loadRun.ts';
import { RedisStore } from '../../adapters/redis/store.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { redisUrl } from '../helpers/redis.ts';
import { oslo, testConfig } from '../helpers/scheduler.ts';
import { spawnSamla, uniquePrefix, until, type SamlaChild } from './helpers.ts';

const NETWORK = 'scale-network';
const SLACK_MUNIS = 10;
const PARTICIPANTS = 5;
const TEAMS_MUNIS = 4;
const prefix = uniquePrefix();
const dir = mkdtempSync(path.join(tmpdir(), 'samla-scale-'));
const children: SamlaChild[] = [];
const fakes: FakeSlackApi[] = [];
let connector: LoadConnector | undefined;

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(5000)));
  for (const f of fakes) await f.close();
  await connector?.close();
  await deletePrefix(redisUrl(), prefix);
  rmSync(dir, { recursive: true, force: true });
});

const slackLeader = (i: number) => ({ id: `UL${i}`, email: `leder@k${4000 + i}.example.no`, municipality: String(4000 + i) });
const participant = (i: number, j: number) => ({ id: `UP${i}x${j}`, email: `deltaker${j}@k${4000 + i}.example.no` });
const teamsLeader = (i: number) => ({ id: `29:tl-${i}`, aad: `aad-tl-${i}`, email: `leder@k${4100 + i}.example.no`, municipality: String(4100 + i) });

function networkYaml(): string {
  const municipalities = [
    ...Array.from({ length: SLACK_MUNIS }, (_, i) => ({
      id: String(4000 + i),
      name: `Kommune ${4000 + i}`,
      platform: 'slack',
      members: [
        { name: `Leder ${4000 + i}`, email: slackLeader(i).email, roles: ['prosjektleder'] },
        ...Array.from({ length: PARTICIPANTS }, (_, j) => ({ name: `Deltaker ${j} ${4000 + i}`, email: participant(i, j).email, roles: ['deltaker'] })),
      ],
    })),
    ...Array.from({ length: TEAMS_MUNIS }, (_, i) => ({
      id: String(4100 + i),
      name: `Kommune ${4100 + i}`,
      platform: 'teams',
      members: [{ name: `Leder ${4100 + i}`, email: teamsLeader(i).email, roles: ['prosjektleder'] }],
    })),
  ];
  return stringify({
    id: NETWORK,
    name: 'Skalanettverk',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Org Anisator', email: 'org@example.no', platform: 'slack' }],
    municipalities,
    gatherings: [
      {
        id: 'samling-1',
        title: 'Samling 1',
        starts: '2027-03-10T09:00',
        ends: '2027-03-10T15:00',
        tasks: [{ id: 'forarbeid', title: 'Forarbeid', for: ['deltaker'], send: '-14d', due: '-2d' }],
      },
    ],
  });
}

describe('three Samla processes on one Redis', () => {
  it('share the requests and the deliveries; every write stored once, every prompt sent once', async () => {
    const file = path.join(dir, 'network.yaml');
    writeFileSync(file, networkYaml());
    const members = new Map(Array.from({ length: TEAMS_MUNIS }, (_, i) => [teamsLeader(i).id, { id: teamsLeader(i).id, aadObjectId: teamsLeader(i).aad, email: teamsLeader(i).email, name: `Leder ${teamsLeader(i).municipality}` }]));
    connector = new LoadConnector(members);
    await connector.start();
    for (let p = 0; p < 3; p++) {
      const fake = await startFakeSlackApi();
      for (let i = 0; i < SLACK_MUNIS; i++) {
        fake.users.set(slackLeader(i).id, slackLeader(i));
        for (let j = 0; j < PARTICIPANTS; j++) fake.users.set(participant(i, j).id, participant(i, j));
      }
      fake.script('chat.postMessage', { delayMs: 40 }, 1000); // a Slack that takes its time, so no one process can take everything
      fakes.push(fake);
    }
    const started = Date.now();
    children.push(
      ...(await Promise.all(
        fakes.map((fake) =>
          spawnSamla(
            {
              REDIS_URL: redisUrl(),
              SAMLA_REDIS_PREFIX: prefix,
              LOG_LEVEL: 'warn',
              NODE_ENV: 'development',
              SLACK_SIGNING_SECRET: LOAD_SECRET,
              SLACK_BOT_TOKEN: 'xoxb-scale',
              SLACK_API_URL: fake.apiUrl,
              SAMLA_TICK_EVERY_MS: '3600000',
              SAMLA_SLACK_RATE: '500',
              SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0',
              SAMLA_DELIVERY_CONCURRENCY: '4',
            },
            ['--file', file],
            40_000,
          ),
        ),
      )),
    );
    const startMs = Date.now() - started;

    // Traffic, round robin over the three processes.
    const redis = new Redis(redisUrl());
    const store = new RedisStore(redis, { prefix });
    expect((await store.getSummary(NETWORK))?.version).toBe(1); // three concurrent imports, one version
    const byProcess = [0, 0, 0];
    let n = 0;
    for (let round = 0; round < 6; round++) {
      const requests: Promise<void>[] = [];
      for (let i = 0; i < SLACK_MUNIS; i++) {
        const target = n++ % 3;
        byProcess[target]!++;
        const { body, headers } = signedStatusSubmission(slackLeader(i), `skala ${round}-${i}`, NETWORK);
        requests.push(
          fetch(`${children[target]!.base}/slack/events`, { method: 'POST', headers, body }).then(async (res) => {
            expect(res.status).toBe(200);
            expect(await res.text()).toMatch(/Status for Kommune \d+ er lagret/);
          }),
        );
      }
      for (let i = 0; i < TEAMS_MUNIS; i++) {
        const target = n++ % 3;
        byProcess[target]!++;
        const k = n;
        requests.push(
          fetch(`${children[target]!.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(checkinActivity(teamsLeader(i), `a:personal-tl-${i}`, k, connector!.url, `skala ${round}`, NETWORK, 'samling-1')) }).then((res) => {
            expect(res.status).toBe(200);
            expect(connector!.outcomes.get(`card-${k}`)).toBe('saved');
          }),
        );
      }
      await Promise.all(requests); // one round at a time, so each person's last answer is known
    }
    let statuses = 0;
    for (let i = 0; i < SLACK_MUNIS; i++) {
      const reports = await store.listStatus(NETWORK, slackLeader(i).municipality);
      expect(reports.map((r) => r.done).sort()).toEqual(Array.from({ length: 6 }, (_, round) => `skala ${round}-${i}`).sort());
      statuses += reports.length;
    }
    const checkinEvents = (await store.events(NETWORK)).filter((e) => e.type === 'checkin.answered').length;
    expect(statuses).toBe(6 * SLACK_MUNIS);
    expect(checkinEvents).toBe(6 * TEAMS_MUNIS);
    expect((await store.listCheckins(NETWORK, 'samling-1')).map((c) => c.answers.need)).toEqual(Array(TEAMS_MUNIS).fill('skala 5'));

    // Three scheduler passes at the same moment (as three processes' timers would run them).
    const texts = loadTexts();
    const at = oslo('2027-02-24T09:00');
    const runtimes = Array.from({ length: 3 }, () => new DeliveryRuntime({ redis, store, texts, prefix, clock: () => at, config: testConfig() }));
    const reports = await Promise.all(runtimes.map((r) => r.tick(at)));
    const enqueued = reports.map((r) => r.networks.find((x) => x.network === NETWORK)?.enqueued ?? 0);
    const skipped = reports.map((r) => r.networks.find((x) => x.network === NETWORK)?.skipped ?? 0);
    const occKey = `${prefix}{${NETWORK}}:occ`;
    const claimed = await redis.hlen(occKey);
    // Every occurrence was claimed by exactly one of the three passes.
    expect([...enqueued, ...skipped].reduce((a, b) => a + b, 0)).toBe(claimed);
    const taskPrompts = (await redis.hkeys(occKey)).filter((id) => id.includes(':task:samling-1:forarbeid:'));
    expect(taskPrompts).toHaveLength(SLACK_MUNIS * PARTICIPANTS);
    await until(async () => Object.values(await redis.hgetall(occKey)).every((st) => st !== 'queued' && st !== 'sending'), 30_000, 'every prompt to be delivered');
    const taskStates = await redis.hmget(occKey, ...taskPrompts);
    expect(new Set(taskStates)).toEqual(new Set(['sent']));
    const posted = fakes.map((f) => f.calls('chat.postMessage').length);
    const messages = fakes.flatMap((f) => f.calls('chat.postMessage').map((c) => `${String(c.args.channel)}|${String(c.args.text)}`));
    expect(new Set(messages).size).toBe(messages.length); // nothing sent twice
    const taskMessages = fakes.flatMap((f) => f.calls('chat.postMessage').filter((c) => String(c.args.text).includes('Forarbeid')).map((c) => String(c.args.channel)));
    expect(new Set(taskMessages).size).toBe(SLACK_MUNIS * PARTICIPANTS);
    expect(taskMessages).toHaveLength(SLACK_MUNIS * PARTICIPANTS);
    expect(posted.filter((p) => p > 0).length).toBeGreaterThanOrEqual(2);
    for (const r of runtimes) await r.close();
    await redis.quit();
    console.log(
      `[scale] 3 processes ready in ${startMs} ms; requests per process ${byProcess.join('/')}; ${statuses} statuses and ${checkinEvents} check-ins stored once; ` +
        `3 concurrent passes enqueued ${enqueued.join('/')} and skipped ${skipped.join('/')} (${claimed} occurrences, each claimed once); Slack messages sent by process ${posted.join('/')}, ` +
        `${taskMessages.length} task prompts to ${new Set(taskMessages).size} distinct participants, no duplicates`,
    );
  }, 90_000);
});
