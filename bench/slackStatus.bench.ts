/**
 * Slack `/status` benchmark (issue 3): Samla's acknowledgement path (signature check, the
 * redelivery mark and the person's lookups in Redis, `views.open` to a fake Slack on 127.0.0.1)
 * against a bare Bolt app on the same ExpressReceiver that only acknowledges, at 32 concurrent
 * signed requests, same machine, same run. Each server runs in a process of its own
 * (bench/slackServer.ts); this process sends the requests and plays Slack's Web API.
 * Prints both throughputs, the ratio and p50/p99 latency: of the HTTP acknowledgement, and for
 * Samla also from the request until its views.open reached Slack.
 * Aims: ratio of at least 0.7, p99 under 100 ms.
 *
 *   node --import tsx bench/slackStatus.bench.ts   (REDIS_URL or redis://127.0.0.1:6379; writes
 *   under a random prefix, deleted after; BENCH_REQUESTS, BENCH_CONCURRENCY change the load)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisIdentityStore, RedisStore } from '../adapters/redis/store.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { startFakeSlackApi } from '../test/fakes/slackApi.ts';
import { BENCH_NOW, BENCH_SECRET } from './slackBench.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;
const OLA = { id: 'U0OLA', email: 'ola.hansen@kristiansand.example.no' };
const runner = fileURLToPath(new URL('./slackServer.ts', import.meta.url));

function signed(triggerId: string): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({
    team_id: 'T0SAMLA',
    channel_id: 'D0OLA',
    user_id: OLA.id,
    command: '/status',
    text: '',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: triggerId,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', BENCH_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } };
}

/** Sends `count` signed /status commands, CONCURRENCY at a time. */
async function load(target: string, count: number): Promise<{ perSecond: number; latencies: number[]; sentAt: Map<string, number> }> {
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      const trigger = `${Date.now()}.${randomBytes(8).toString('hex')}`;
      const { body, headers } = signed(trigger);
      const t0 = performance.now();
      sentAt.set(trigger, Date.now());
      const res = await fetch(target, { method: 'POST', headers, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${target}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { perSecond: count / ((performance.now() - started) / 1000), latencies, sentAt };
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

/** Starts a server process and resolves with its /slack/events URL. */
async function serve(mode: 'samla' | 'bare' | 'open', apiUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const node = [...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'];
  const child = spawn(process.execPath, [...node, runner, mode, apiUrl, url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}/slack/events`, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const redis = new Redis(url);
const fake = await startFakeSlackApi();

/** Waits for the run's views.open calls to reach the fake; their rate and request-to-modal latencies. */
async function modalsOpened(from: number, sentAt: Map<string, number>) {
  const deadline = Date.now() + 30_000;
  while (fake.calls('views.open').filter((c) => c.n >= from).length < REQUESTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const opened = fake.calls('views.open').filter((c) => c.n >= from);
  const toModal = opened.map((c) => c.at - (sentAt.get(String(c.args.trigger_id)) ?? c.at));
  const firstSent = Math.min(...sentAt.values());
  const modalsPerSecond = opened.length / ((Math.max(...opened.map((c) => c.at)) - firstSent) / 1000);
  return { opened, toModal, modalsPerSecond };
}
fake.users.set(OLA.id, { id: OLA.id, email: OLA.email });
const children: ChildProcess[] = [];
try {
  const example = fileURLToPath(new URL('../examples/network.yaml', import.meta.url));
  const store = new RedisStore(redis, { prefix });
  await store.importNetwork(parseNetworkFile(readFileSync(example, 'utf8'), example), { now: BENCH_NOW });
  void RedisIdentityStore; // Ola's email is cached by the first users.info, during the warm-up

  const bare = await serve('bare', fake.apiUrl);
  children.push(bare.child);
  await load(bare.url, WARMUP);
  const baseline = await load(bare.url, REQUESTS);
  await stop(bare.child);

  // A second baseline: the bare app that also opens a modal, so the platform call's own cost
  // (one outbound Web API call per request, which the ack-only app does not make) shows apart
  // from Samla's work.
  const open = await serve('open', fake.apiUrl);
  children.push(open.child);
  await load(open.url, WARMUP);
  await new Promise((r) => setTimeout(r, 200));
  const openFrom = fake.mark();
  const openBaseline = await load(open.url, REQUESTS);
  const openModals = await modalsOpened(openFrom, openBaseline.sentAt);
  await stop(open.child);

  const samla = await serve('samla', fake.apiUrl);
  children.push(samla.child);
  await load(samla.url, WARMUP);
  await new Promise((r) => setTimeout(r, 200));
  const from = fake.mark();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const run = await load(samla.url, REQUESTS);
  if (process.env.BENCH_CPU) {
    const c = process.cpuUsage(cpu0);
    console.error(`load generator + fake Slack: ${(((c.user + c.system) / 1000 / (performance.now() - wall0)) * 100).toFixed(0)}% of one core`);
  }
  const { opened, toModal, modalsPerSecond } = await modalsOpened(from, run.sentAt);
  await stop(samla.child);

  const f = (n: number) => n.toFixed(1).padStart(10);
  console.log(`Slack /status benchmark: ${REQUESTS} signed requests, ${CONCURRENCY} concurrent, Node ${process.version}`);
  console.log('');
  console.log(`${''.padEnd(34)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
  console.log(`${'bare Bolt app (ack only)'.padEnd(34)}${f(baseline.perSecond)}${f(pct(baseline.latencies, 0.5))}${f(pct(baseline.latencies, 0.99))}`);
  console.log(`${'bare Bolt app + views.open: ack'.padEnd(34)}${f(openBaseline.perSecond)}${f(pct(openBaseline.latencies, 0.5))}${f(pct(openBaseline.latencies, 0.99))}`);
  console.log(`${'bare Bolt app + views.open: modal'.padEnd(34)}${f(openModals.modalsPerSecond)}${f(pct(openModals.toModal, 0.5))}${f(pct(openModals.toModal, 0.99))}`);
  console.log(`${'Samla /status: acknowledged'.padEnd(34)}${f(run.perSecond)}${f(pct(run.latencies, 0.5))}${f(pct(run.latencies, 0.99))}`);
  console.log(`${'Samla /status: until views.open'.padEnd(34)}${f(modalsPerSecond)}${f(pct(toModal, 0.5))}${f(pct(toModal, 0.99))}`);
  console.log('');
  console.log(`ratio Samla / bare: ${(run.perSecond / baseline.perSecond).toFixed(2)} acknowledged, ${(modalsPerSecond / baseline.perSecond).toFixed(2)} with the modal opened   aim ≥ 0.70`);
  console.log(`ratio Samla / bare app that also opens a modal, modals per second: ${(modalsPerSecond / openModals.modalsPerSecond).toFixed(2)}`);
  console.log(`p99: ${pct(run.latencies, 0.99).toFixed(1)} ms to the ack, ${pct(toModal, 0.99).toFixed(1)} ms to views.open   aim < 100 ms`);
  console.log(`modals opened: ${opened.length} of ${REQUESTS}`);
} finally {
  for (const c of children) await stop(c);
  await fake.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
