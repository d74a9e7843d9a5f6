/**
 * The load driver shared by bench/load.bench.ts (60 s) and test/reliability/load.test.ts (5 s):
 * Samla as `node bin/samla.js start` in a child process of its own, a fake Slack Web API and a
 * fake Bot Connector in this process, and a load generator that keeps `concurrency` requests in
 * flight: half signed Slack `view_submission`s of the /status modal (each a new status report),
 * half Teams check-in answers (Action.Submit activities, each a new answer text).
 *
 * Every request's outcome is recorded: acknowledged as saved (Slack: the modal's "Status … er
 * lagret" notice; Teams: the check-in card updated with "Svarene dine er lagret"), told
 * "unavailable", or an error (an HTTP status other than 200, a network error, anything else).
 * `verify()` then reads Redis: every acknowledged status report must be stored exactly once
 * (unique texts), none that was not acknowledged; per Teams person, the `checkin.answered`
 * events must number exactly the acknowledged answers (at least, when faults were injected) and
 * the stored answer must be the last acknowledged one or a later one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globEscape, scanKeys, sendCommands } from '../adapters/redis/client.ts';
import { connectRedis } from '../src/app/redis.ts';
import { stringify } from 'yaml';
import { RedisStore } from '../adapters/redis/store.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../test/fakes/slackApi.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOAD_SECRET = 'load-signing-secret-0123456789';
const NETWORK = 'load-network';
const GATHERING = 'samling-1';

export interface LoadOptions {
  redisUrl: string;
  prefix: string;
  /** Slack municipalities (one project leader each) and Teams municipalities. */
  slackPeople?: number;
  teamsPeople?: number;
  /** Extra environment for the Samla process. */
  env?: NodeJS.ProcessEnv;
}

export interface Outcome {
  kind: 'slack' | 'teams' | 'baseline';
  ms: number;
  result: 'saved' | 'unavailable' | 'error';
  detail?: string;
  /** When the answer came (Date.now()). */
  at?: number;
}

export interface LoadStats {
  kind: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  saved: number;
  unavailable: number;
  errors: number;
  firstErrors: string[];
}

export interface Verification {
  slack: { acknowledged: number; stored: number; storedTwice: number; missing: number; storedWithoutAck: number; unacknowledgedStored: number };
  teams: { acknowledged: number; events: number; eventsBeyondAcks: number; people: number; missingOrStale: number };
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

export function summarise(kind: string, outcomes: Outcome[], seconds: number): LoadStats {
  const mine = outcomes.filter((o) => o.kind === kind);
  return {
    kind,
    requests: mine.length,
    perSecond: mine.length / seconds,
    p50: pct(mine.map((o) => o.ms), 0.5),
    p99: pct(mine.map((o) => o.ms), 0.99),
    saved: mine.filter((o) => o.result === 'saved').length,
    unavailable: mine.filter((o) => o.result === 'unavailable').length,
    errors: mine.filter((o) => o.result === 'error').length,
    firstErrors: [...new Set(mine.filter((o) => o.result === 'error').map((o) => o.detail ?? ''))].slice(0, 5),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The load network: one project leader per municipality, Slack and Teams. */
export function loadNetworkYaml(slackPeople: number, teamsPeople: number): string {
  const municipalities = [];
  for (let i = 0; i < slackPeople + teamsPeople; i++) {
    const id = String(3000 + i);
    const slack = i < slackPeople;
    municipalities.push({
      id,
      name: `Kommune ${id}`,
      platform: slack ? 'slack' : 'teams',
      members: [{ name: `Leder ${id}`, email: `leder@k${id}.example.no`, roles: ['prosjektleder', 'kontaktperson'] }],
    });
  }
  return stringify({
    id: NETWORK,
    name: 'Lastnettverk',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Org Anisator', email: 'org@example.no', platform: 'slack' }],
    municipalities,
    gatherings: [{ id: GATHERING, title: 'Samling 1', starts: '2099-02-10T09:00', ends: '2099-02-10T15:00', tasks: [] }],
  });
}

/** A signed Slack view_submission of the /status modal with `done` as its unique text. */
export function signedStatusSubmission(user: { id: string; municipality: string }, done: string, network = NETWORK): { body: string; headers: Record<string, string> } {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0LOAD' },
    user: { id: user.id, team_id: 'T0LOAD' },
    api_app_id: 'A0LOAD',
    trigger_id: `${Date.now()}.${randomBytes(8).toString('hex')}`,
    view: {
      id: `V${randomBytes(4).toString('hex')}`,
      type: 'modal',
      callback_id: 'status',
      private_metadata: JSON.stringify({ payload: { a: 'status.submit', n: network, m: user.municipality } }),
      state: {
        values: {
          overall: { overall: { type: 'radio_buttons', selected_option: { value: 'on_track' } } },
          done: { done: { type: 'plain_text_input', value: done } },
          next: { next: { type: 'plain_text_input', value: 'Neste steg' } },
          plan_parts: { plan_parts: { type: 'checkboxes', selected_options: [{ value: 'purpose' }] } },
          steering_met: { steering_met: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
        },
      },
    },
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', LOAD_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } };
}

/** A Teams check-in answer (Action.Submit) with activity id `act-<n>` on card `card-<n>`. */
export function checkinActivity(user: { id: string; aad: string; municipality: string }, conversation: string, n: number, serviceUrl: string, need: string, network = NETWORK, gathering = GATHERING) {
  return {
    type: 'message',
    id: `act-${n}`,
    replyToId: `card-${n}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: `Leder ${user.municipality}`, aadObjectId: user.aad },
    recipient: { id: '28:samla-load', name: 'Samla' },
    conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-load' },
    channelData: { tenant: { id: 'tenant-load' }, source: { name: 'message' } },
    locale: 'nb-NO',
    value: { samla: { a: 'checkin.submit', n: network, g: gathering, m: user.municipality }, attending: 'ja', prepared: 'delvis', need },
  };
}

const slackUser = (i: number) => ({ id: `U${String(i).padStart(6, '0')}`, email: `leder@k${3000 + i}.example.no`, municipality: String(3000 + i) });
const teamsUser = (i: number, slackPeople: number) => ({ id: `29:leder-${i}`, aad: `aad-${i}`, email: `leder@k${3000 + slackPeople + i}.example.no`, municipality: String(3000 + slackPeople + i) });

/** A Bot Connector that records, per card or activity, whether Samla said "saved" or "unavailable". */
export class LoadConnector {
  readonly outcomes = new Map<string, 'saved' | 'unavailable' | 'other'>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly members: Map<string, { id: string; aadObjectId: string; email: string; name: string }>) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = req.url ?? '';
        const member = /\/members\/([^/?]+)/.exec(url);
        if (req.method === 'GET' && member) {
          const m = this.members.get(decodeURIComponent(member[1]!));
          res.writeHead(m ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(m ?? { error: { code: 'MemberNotFoundInConversation' } }));
          return;
        }
        const activity = /\/activities\/([^/?]+)/.exec(url);
        if (activity) {
          const saved = body.includes('Svarene dine er lagret');
          const unavailable = body.includes('Samla er ikke tilgjengelig');
          this.outcomes.set(decodeURIComponent(activity[1]!), saved ? 'saved' : unavailable ? 'unavailable' : 'other');
        }
        res.writeHead(req.method === 'PUT' ? 200 : 201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `a-${randomBytes(4).toString('hex')}` }));
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

export interface LoadRig {
  base: string;
  samla: ChildProcess;
  fake: FakeSlackApi;
  /** Keeps `concurrency` requests in flight for `durationMs`; `onTick` runs every 100 ms. */
  run(opts: { concurrency: number; durationMs: number; baseline?: boolean }): Promise<{ outcomes: Outcome[]; seconds: number }>;
  verify(opts?: { faults?: boolean }): Promise<Verification>;
  close(): Promise<void>;
}

/** Starts the fakes and Samla (child process) with the load network imported. */
export async function startLoadRig(opts: LoadOptions): Promise<LoadRig> {
  const slackPeople = opts.slackPeople ?? 100;
  const teamsPeople = opts.teamsPeople ?? 100;
  const dir = mkdtempSync(path.join(tmpdir(), 'samla-load-'));
  const file = path.join(dir, 'network.yaml');
  writeFileSync(file, loadNetworkYaml(slackPeople, teamsPeople));

  const fake = await startFakeSlackApi();
  for (let i = 0; i < slackPeople; i++) fake.users.set(slackUser(i).id, { id: slackUser(i).id, email: slackUser(i).email });
  const members = new Map<string, { id: string; aadObjectId: string; email: string; name: string }>();
  for (let i = 0; i < teamsPeople; i++) {
    const u = teamsUser(i, slackPeople);
    members.set(u.id, { id: u.id, aadObjectId: u.aad, email: u.email, name: `Leder ${u.municipality}` });
  }
  const connector = new LoadConnector(members);
  await connector.start();

  const port = await freePort();
  const samla = spawn(process.execPath, ['bin/samla.js', 'start', '--port', String(port), '--file', file], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: opts.redisUrl,
      SAMLA_REDIS_PREFIX: opts.prefix,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      SLACK_SIGNING_SECRET: LOAD_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-load',
      SLACK_API_URL: fake.apiUrl,
      SAMLA_TICK_EVERY_MS: '3600000',
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  samla.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (samla.exitCode !== null) throw new Error(`Samla exited with ${samla.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Samla did not get ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const slackAcked = new Map<string, number>(); // done text → acknowledged
  const slackSent = new Set<string>();
  const teamsAcked: Map<string, number[]> = new Map(); // email → acknowledged sequence numbers
  const teamsSent: Map<string, number> = new Map(); // email → last sequence sent
  let seq = 0;

  const slackRequest = async (i: number): Promise<Outcome> => {
    const u = slackUser(i);
    const done = `load ${process.pid}-${++seq} ${u.id}`;
    slackSent.add(done);
    const { body, headers } = signedStatusSubmission(u, done);
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) return { kind: 'slack', ms, result: 'error', detail: `HTTP ${res.status}` };
      if (text.includes('Samla er ikke tilgjengelig')) return { kind: 'slack', ms, result: 'unavailable' };
      if (/Status for Kommune \d+ er lagret/.test(text)) {
        slackAcked.set(done, (slackAcked.get(done) ?? 0) + 1);
        return { kind: 'slack', ms, result: 'saved' };
      }
      return { kind: 'slack', ms, result: 'error', detail: text.slice(0, 200) };
    } catch (err) {
      return { kind: 'slack', ms: performance.now() - t0, result: 'error', detail: err instanceof Error ? err.message : String(err) };
    }
  };

  const teamsRequest = async (i: number): Promise<Outcome> => {
    const u = teamsUser(i, slackPeople);
    const n = ++seq;
    teamsSent.set(u.email, n);
    const activity = checkinActivity(u, `a:personal-${i}`, n, connector.url, `behov ${n}`);
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200) return { kind: 'teams', ms, result: 'error', detail: `HTTP ${res.status}` };
      const said = connector.outcomes.get(`card-${n}`) ?? connector.outcomes.get(`act-${n}`);
      connector.outcomes.delete(`card-${n}`);
      connector.outcomes.delete(`act-${n}`);
      if (said === 'saved') {
        teamsAcked.set(u.email, [...(teamsAcked.get(u.email) ?? []), n]);
        return { kind: 'teams', ms, result: 'saved' };
      }
      if (said === 'unavailable') return { kind: 'teams', ms, result: 'unavailable' };
      return { kind: 'teams', ms, result: 'error', detail: `answered ${said ?? 'nothing'}` };
    } catch (err) {
      return { kind: 'teams', ms: performance.now() - t0, result: 'error', detail: err instanceof Error ? err.message : String(err) };
    }
  };

  const baselineRequest = async (): Promise<Outcome> => {
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      return { kind: 'baseline', ms: performance.now() - t0, result: res.status === 200 ? 'saved' : 'error', detail: `HTTP ${res.status}` };
    } catch (err) {
      return { kind: 'baseline', ms: performance.now() - t0, result: 'error', detail: err instanceof Error ? err.message : String(err) };
    }
  };

  return {
    base,
    samla,
    fake,
    async run({ concurrency, durationMs, baseline }) {
      const outcomes: Outcome[] = [];
      const started = performance.now();
      const until = started + durationMs;
      const worker = async (w: number) => {
        while (performance.now() < until) {
          const o = baseline ? await baselineRequest() : w % 2 === 0 ? await slackRequest((w / 2) % slackPeople) : await teamsRequest(((w - 1) / 2) % teamsPeople);
          outcomes.push({ ...o, at: Date.now() });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
      return { outcomes, seconds: (performance.now() - started) / 1000 };
    },
    async verify({ faults = false } = {}) {
      // A Redis Cluster behind the URL is detected, as `samla start` does.
      const redis = await connectRedis(opts.redisUrl, { failFast: true });
      try {
        const store = new RedisStore(redis, { prefix: opts.prefix });
        const stored = new Map<string, number>();
        for (let i = 0; i < slackPeople; i++) {
          for (const r of await store.listStatus(NETWORK, slackUser(i).municipality)) if (r.done) stored.set(r.done, (stored.get(r.done) ?? 0) + 1);
        }
        const slack = {
          acknowledged: slackAcked.size,
          stored: [...stored.values()].reduce((a, b) => a + b, 0),
          storedTwice: [...stored.values()].filter((n) => n > 1).length,
          missing: [...slackAcked.keys()].filter((d) => !stored.has(d)).length,
          storedWithoutAck: [...stored.keys()].filter((d) => !slackAcked.has(d)).length,
          unacknowledgedStored: [...stored.keys()].filter((d) => !slackSent.has(d)).length,
        };
        const events = await store.events(NETWORK);
        const byActor = new Map<string, number>();
        for (const e of events) if (e.type === 'checkin.answered' && e.actor) byActor.set(e.actor, (byActor.get(e.actor) ?? 0) + 1);
        const checkins = await store.listCheckins(NETWORK, GATHERING);
        let eventsBeyondAcks = 0;
        let missingOrStale = 0;
        for (const [email, acks] of teamsAcked) {
          const n = byActor.get(email) ?? 0;
          if (n < acks.length) missingOrStale++;
          eventsBeyondAcks += n - acks.length;
          const record = checkins.find((c) => c.email === email);
          const storedSeq = Number(/behov (\d+)/.exec(record?.answers.need ?? '')?.[1] ?? -1);
          const lastAck = acks.at(-1)!;
          // The stored answer is the last acknowledged one, or (only with faults) a later unacknowledged one.
          if (faults ? storedSeq < lastAck : storedSeq !== lastAck) missingOrStale++;
        }
        const teams = {
          acknowledged: [...teamsAcked.values()].reduce((a, b) => a + b.length, 0),
          events: [...byActor.values()].reduce((a, b) => a + b, 0),
          eventsBeyondAcks,
          people: teamsAcked.size,
          missingOrStale,
        };
        return { slack, teams };
      } finally {
        await redis.quit();
      }
    },
    async close() {
      if (samla.exitCode === null) {
        const exited = new Promise((r) => samla.once('exit', r));
        samla.kill('SIGTERM');
        const timer = setTimeout(() => samla.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await connector.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every key under the prefix (SCAN + UNLINK), never anything else. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = await connectRedis(url, { failFast: true });
  // On a Cluster: every master's keys, one UNLINK each (they are in many slots).
  await sendCommands(redis, (await scanKeys(redis, `${globEscape(prefix)}*`)).map((k) => ['unlink', k]));
  await redis.quit();
}

/** A table row. */
export function row(s: LoadStats): string {
  const f = (n: number, w = 9) => (Number.isFinite(n) ? n.toFixed(1) : '-').padStart(w);
  return `${s.kind.padEnd(28)}${String(s.requests).padStart(9)}${f(s.perSecond)}${f(s.p50)}${f(s.p99)}${String(s.saved).padStart(8)}${String(s.unavailable).padStart(8)}${String(s.errors).padStart(8)}`;
}

export const HEADER = `${''.padEnd(28)}${'requests'.padStart(9)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'saved'.padStart(8)}${'unavail'.padStart(8)}${'errors'.padStart(8)}`;
