/**
 * Slack `/status` benchmark (issue 3): Samla's acknowledgement path (signature check, the
 * redelivery mark and the person's lookups in Redis, `views.open` to a fake Slack on 127.0.0.1)
 * against a bare Bolt app on the same ExpressReceiver that only acknowledges, at 32 concurrent
 * signed requests, same machine, same run. Each server runs in a process of its own
 * (bench/slackServer.ts); this process sends the requests and plays Slack's Web API.
 * Prints both throughputs, the ratio and p50/p99 latency: of the HTTP acknowledgement, and for
 * Samla also from the request until its views.open reached Slack.
 * Aims (issue 11): Samla's modals per second at least 0.85 of the bare app's that also opens a
 * modal, and Samla's p99 to the acknowledgement within 1.3 × that app's p99.
 * Method: the three servers (ack-only, ack + views.open, Samla) run side by side; after a
 * warm-up each, BENCH_ROUNDS rounds (default 5) load each server in turn with
 * BENCH_REQUESTS / BENCH_ROUNDS requests, the order rotating, so a machine shared with other
 * work slows each about as much; figures are over all rounds, with the per-round ratios.
 *
 *   node --import tsx bench/slackStatus.bench.ts   (REDIS_URL or redis://127.0.0.1:6379; writes
 *   under a random prefix, deleted after; BENCH_REQUESTS, BENCH_CONCURRENCY change the load;
 *   BENCH_PROFILE=<dir> writes each server's CPU profile of the measured rounds to
 *   <dir>/<mode>.cpuprofile, summed by `node --import tsx bench/profileSummary.ts <file>`)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisIdentityStore, RedisStore } from '../adapters/redis/store.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { startFakeSlackApi } from '../test/fakes/slackApi.ts';
import { BENCH_NOW, BENCH_SECRET } from './slackBench.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = Math.max(1, Math.round(REQUESTS / ROUNDS));
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

/**
 * The code before issue 11 (BENCH_BASELINE_REF, default 84f9b6a; "none" to skip), extracted with
 * `git archive` and run with its own bench/slackServer.ts: Samla's figures of before, same run.
 */
const baselineRef = process.env.BENCH_BASELINE_REF ?? '84f9b6a';
let baselineDir: string | undefined;
if (baselineRef !== 'none') {
  baselineDir = mkdtempSync(path.join(tmpdir(), 'samla-bench-before-'));
  const repo = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('sh', ['-c', `git -C "${repo}" archive ${baselineRef} | tar -x -C "${baselineDir}"`]);
  symlinkSync(path.join(repo, 'node_modules'), path.join(baselineDir, 'node_modules'));
}

/** Starts a server process and resolves with its /slack/events URL. */
async function serve(mode: 'samla' | 'bare' | 'open' | 'before', apiUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const node = [...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'];
  const script = mode === 'before' ? path.join(baselineDir!, 'bench', 'slackServer.ts') : runner;
  const child = spawn(process.execPath, [...node, script, mode === 'before' ? 'samla' : mode, apiUrl, url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
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
async function modalsOpened(from: number, sentAt: Map<string, number>, expected: number) {
  const deadline = Date.now() + 30_000;
  while (fake.calls('views.open').filter((c) => c.n >= from).length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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

  // All three servers run from the start and are warmed up; then ROUNDS rounds load each in
  // turn (the order rotating), so a machine shared with other work slows each about as much.
  const modes = (baselineDir ? ['bare', 'open', 'before', 'samla'] : ['bare', 'open', 'samla']) as ('bare' | 'open' | 'before' | 'samla')[];
  const servers = {} as Record<(typeof modes)[number], { url: string; child: ChildProcess }>;
  for (const mode of modes) {
    servers[mode] = await serve(mode, fake.apiUrl);
    children.push(servers[mode].child);
    await load(servers[mode].url, WARMUP);
  }
  type Run = { perSecond: number; latencies: number[]; modalsPerSecond?: number; toModal?: number[] };
  if (process.env.BENCH_PROFILE) {
    mkdirSync(process.env.BENCH_PROFILE, { recursive: true });
    for (const mode of modes) if (mode !== 'before') servers[mode].child.kill('SIGUSR2'); // start profiling: the rounds only (the baseline's own server has no profiler)
    await new Promise((r) => setTimeout(r, 500));
  }
  const runs: Record<(typeof modes)[number], Run[]> = { bare: [], open: [], before: [], samla: [] };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + round) % modes.length]!;
      await new Promise((r) => setTimeout(r, 200));
      const from = fake.mark();
      const run: Run = await load(servers[mode].url, PER_ROUND);
      if (mode !== 'bare') Object.assign(run, await modalsOpened(from, (run as unknown as { sentAt: Map<string, number> }).sentAt, PER_ROUND));
      runs[mode].push(run);
    }
  }
  if (process.env.BENCH_CPU) {
    const c = process.cpuUsage(cpu0);
    console.error(`load generator + fake Slack: ${(((c.user + c.system) / 1000 / (performance.now() - wall0)) * 100).toFixed(0)}% of one core`);
  }
  for (const mode of modes) await stop(servers[mode].child);

  const pooled = (rs: Run[], f: (r: Run) => number[] | undefined) => rs.flatMap((r) => f(r) ?? []);
  const total = (rs: Run[], f: (r: Run) => number | undefined) => (rs.length * PER_ROUND) / rs.reduce((sum, r) => sum + PER_ROUND / (f(r) ?? NaN), 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const f = (n: number) => n.toFixed(1).padStart(10);
  const line = (label: string, perSecond: number, lat: number[]) => console.log(`${label.padEnd(34)}${f(perSecond)}${f(pct(lat, 0.5))}${f(pct(lat, 0.99))}`);
  const { bare, open, samla, before } = runs;
  console.log(`Slack /status benchmark: ${ROUNDS} rounds of ${PER_ROUND} signed requests per server, ${CONCURRENCY} concurrent, Node ${process.version}`);
  console.log('');
  console.log(`${''.padEnd(34)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
  line('bare Bolt app (ack only)', total(bare, (r) => r.perSecond), pooled(bare, (r) => r.latencies));
  line('bare Bolt app + views.open: ack', total(open, (r) => r.perSecond), pooled(open, (r) => r.latencies));
  line('bare Bolt app + views.open: modal', total(open, (r) => r.modalsPerSecond), pooled(open, (r) => r.toModal));
  line('Samla /status: acknowledged', total(samla, (r) => r.perSecond), pooled(samla, (r) => r.latencies));
  line('Samla /status: until views.open', total(samla, (r) => r.modalsPerSecond), pooled(samla, (r) => r.toModal));
  if (before.length) {
    line(`before (${baselineRef}): acknowledged`, total(before, (r) => r.perSecond), pooled(before, (r) => r.latencies));
    line(`before (${baselineRef}): until views.open`, total(before, (r) => r.modalsPerSecond), pooled(before, (r) => r.toModal));
  }
  console.log('');
  const perRound = samla.map((r, i) => (r.modalsPerSecond ?? NaN) / (open[i]!.modalsPerSecond ?? NaN));
  const ratio = total(samla, (r) => r.modalsPerSecond) / total(open, (r) => r.modalsPerSecond);
  console.log(`ratio Samla / bare app that also opens a modal, modals per second: ${ratio.toFixed(2)} over all rounds, median round ${median(perRound).toFixed(2)} (rounds: ${perRound.map((x) => x.toFixed(2)).join(' ')})   aim ≥ 0.85`);
  const p99 = pct(pooled(samla, (r) => r.latencies), 0.99) / pct(pooled(open, (r) => r.latencies), 0.99);
  console.log(`p99 to the acknowledgement, Samla / that app: ${p99.toFixed(2)}   aim ≤ 1.30`);
  if (before.length) {
    const beforeRounds = before.map((r, i) => (r.modalsPerSecond ?? NaN) / (open[i]!.modalsPerSecond ?? NaN));
    const beforeRatio = total(before, (r) => r.modalsPerSecond) / total(open, (r) => r.modalsPerSecond);
    const beforeP99 = pct(pooled(before, (r) => r.latencies), 0.99) / pct(pooled(open, (r) => r.latencies), 0.99);
    console.log(`before (${baselineRef}), same run: ratio ${beforeRatio.toFixed(2)} over all rounds, median round ${median(beforeRounds).toFixed(2)}; p99 to the ack ${beforeP99.toFixed(2)} × that app's`);
  }
  console.log(`ratio Samla / bare ack-only app: ${(total(samla, (r) => r.perSecond) / total(bare, (r) => r.perSecond)).toFixed(2)} acknowledged, ${(total(samla, (r) => r.modalsPerSecond) / total(bare, (r) => r.perSecond)).toFixed(2)} with the modal opened`);
  console.log(`modals opened: ${pooled(samla, (r) => r.toModal).length} of ${ROUNDS * PER_ROUND}`);
} finally {
  for (const c of children) await stop(c);
  if (baselineDir) rmSync(baselineDir, { recursive: true, force: true });
  await fake.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
