/**
 * Load benchmark (issue 8): `samla start` in a child process of its own, 200 requests in flight
 * (BENCH_CONCURRENCY) for 60 seconds (BENCH_SECONDS): half signed Slack /status modal
 * submissions (view_submission, each a new status report), half Teams check-in answers
 * (Action.Submit activities). Baseline in the same run: GET /healthz on the same server at the
 * same concurrency for 10 s (the HTTP stack, request ids and metrics, no work).
 *
 * Then (unless BENCH_CLUSTER=0) the same steady load against a Redis Cluster of three masters
 * started here from redis-server (test/helpers/cluster.ts), REDIS_URL naming one node.
 *
 * Then (unless BENCH_RESTART=0) the same load for 20 s against a redis-server of its own with
 * the append-only file fsynced on every write, killed (SIGKILL) after 5 s and started again 3 s
 * later: every acknowledged write must be there afterwards.
 *
 * Prints throughput, p50/p99 latency, errors, and acknowledged-vs-stored counts (bench/loadRun.ts).
 * Aims: 0 errors; every acknowledged write stored exactly once; nothing stored that was not sent.
 *
 *   npm run bench:load   (REDIS_URL or redis://127.0.0.1:6379; writes under a random prefix,
 *   deleted after; BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_CLUSTER, BENCH_RESTART change the run)
 */
import { randomBytes } from 'node:crypto';
import { RedisClusterServers } from '../test/helpers/cluster.ts';
import { DurableRedis } from '../test/helpers/redisServer.ts';
import { HEADER, deletePrefix, row, startLoadRig, summarise } from './loadRun.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const RESTART = process.env.BENCH_RESTART !== '0';
const CLUSTER = process.env.BENCH_CLUSTER !== '0';
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;

console.log(`Load benchmark: ${CONCURRENCY} requests in flight (half Slack /status submissions, half Teams check-ins), Node ${process.version}`);
let failed = false;

/** The steady load against one Redis (or Redis Cluster) at `url`, printed under `title`. */
async function steadyLoad(url: string, title: string): Promise<void> {
const rig = await startLoadRig({ redisUrl: url, prefix, slackPeople: CONCURRENCY / 2, teamsPeople: CONCURRENCY / 2 });
try {
  await rig.run({ concurrency: CONCURRENCY, durationMs: 2000 }); // warm-up: identities cached, JIT warm
  const base = await rig.run({ concurrency: CONCURRENCY, durationMs: 10_000, baseline: true });
  const { outcomes, seconds } = await rig.run({ concurrency: CONCURRENCY, durationMs: SECONDS * 1000 });
  const v = await rig.verify();
  const stats = [summarise('baseline', base.outcomes, base.seconds), summarise('slack', outcomes, seconds), summarise('teams', outcomes, seconds)];
  console.log('');
  console.log(`${title}: ${SECONDS} s of load after a 10 s baseline (GET /healthz, same server, same concurrency):`);
  console.log(HEADER);
  console.log(row({ ...stats[0]!, kind: 'baseline: GET /healthz' }));
  console.log(row({ ...stats[1]!, kind: 'Slack /status submission' }));
  console.log(row({ ...stats[2]!, kind: 'Teams check-in answer' }));
  const total = (stats[1]!.requests + stats[2]!.requests) / seconds;
  console.log(`together: ${total.toFixed(1)} req/s (${((100 * total) / stats[0]!.perSecond).toFixed(1)} % of the baseline's rate)`);
  console.log(`errors: ${stats[1]!.errors + stats[2]!.errors}${stats[1]!.firstErrors.concat(stats[2]!.firstErrors).map((e) => `\n  ${e}`).join('')}`);
  console.log(`Slack status reports: acknowledged ${v.slack.acknowledged}, stored ${v.slack.stored}, stored twice ${v.slack.storedTwice}, acknowledged but missing ${v.slack.missing}, stored without an acknowledgement ${v.slack.storedWithoutAck}`);
  console.log(`Teams check-ins: acknowledged ${v.teams.acknowledged}, recorded ${v.teams.events} (beyond acknowledgements: ${v.teams.eventsBeyondAcks}), people whose stored answer is missing or stale: ${v.teams.missingOrStale}`);
  failed ||= stats.some((s) => s.errors > 0) || v.slack.missing + v.slack.storedTwice + v.slack.storedWithoutAck + v.teams.missingOrStale + v.teams.eventsBeyondAcks > 0;
} finally {
  await rig.close();
  await deletePrefix(url, prefix);
}
}

await steadyLoad(url, `Redis at ${url}`);
if (CLUSTER) {
  // The same load on a Redis Cluster of three masters started here; REDIS_URL names one node.
  const cluster = await RedisClusterServers.start(3);
  try {
    await steadyLoad(cluster.url, `Redis Cluster, 3 masters (REDIS_URL=${cluster.url})`);
  } finally {
    await cluster.stop();
  }
}

if (RESTART) {
  const redis = await DurableRedis.create();
  const restartRig = await startLoadRig({ redisUrl: redis.url, prefix, slackPeople: CONCURRENCY / 2, teamsPeople: CONCURRENCY / 2 });
  try {
    await restartRig.run({ concurrency: CONCURRENCY, durationMs: 2000 }); // warm-up (counted in the totals below)
    const load = restartRig.run({ concurrency: CONCURRENCY, durationMs: 20_000 });
    await new Promise((r) => setTimeout(r, 5000));
    await redis.crash();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
    const upAt = Date.now();
    const { outcomes, seconds } = await load;
    const v = await restartRig.verify({ faults: true });
    const slack = summarise('slack', outcomes, seconds);
    const teams = summarise('teams', outcomes, seconds);
    const firstSavedAfter = Math.min(...outcomes.filter((o) => o.result === 'saved' && (o.at ?? 0) > upAt).map((o) => o.at!)) - upAt;
    console.log('');
    console.log(`Redis (appendonly yes, appendfsync always) killed with SIGKILL after 5 s, started again after ${upAt - downAt} ms; 20 s of load:`);
    console.log(HEADER);
    console.log(row({ ...slack, kind: 'Slack /status submission' }));
    console.log(row({ ...teams, kind: 'Teams check-in answer' }));
    console.log(`first write saved ${firstSavedAfter} ms after Redis was back (no restart of Samla)`);
    console.log(`Slack status reports (with the warm-up): acknowledged ${v.slack.acknowledged}, stored ${v.slack.stored}, acknowledged but missing ${v.slack.missing}, stored twice ${v.slack.storedTwice}, stored without an acknowledgement ${v.slack.storedWithoutAck} (a write whose answer was lost)`);
    console.log(`Teams check-ins: acknowledged ${v.teams.acknowledged}, recorded ${v.teams.events}, people whose acknowledged answer is missing: ${v.teams.missingOrStale}`);
    failed ||= slack.errors + teams.errors + v.slack.missing + v.slack.storedTwice + v.teams.missingOrStale > 0;
  } finally {
    await restartRig.close();
    await redis.destroy();
  }
}
process.exitCode = failed ? 1 : 0;
