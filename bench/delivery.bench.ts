/**
 * Delivery benchmark (issue 5): one scheduler pass fans out 5,000 prompts (1,000 participants ×
 * 5 preparation tasks sent at the same minute) to a fake chat platform on 127.0.0.1 that allows
 * BENCH_RATE messages per second in all (sliding second) and one per second per channel, and
 * answers 429 with Retry-After otherwise (bench/fakeChatServer.ts). Samla is configured with the
 * fake's rate (SAMLA_SLACK_RATE; BENCH_HEADROOM scales it), which its limiter never exceeds in
 * any sliding second, and per-conversation pacing of 1,050 ms (BENCH_PACE_MS).
 *
 * Prints: delivered, duplicates, 429 answers, achieved throughput as a share of the fake's
 * allowed rate (first to last accepted message), and memory (RSS and heap) every second.
 * Aims: exactly 5,000 delivered, 0 duplicates, at least 90 % of the allowed rate, flat memory.
 *
 *   node --import tsx bench/delivery.bench.ts   (REDIS_URL or redis://127.0.0.1:6379; writes
 *   under a random prefix, deleted after; BENCH_PEOPLE, BENCH_TASKS, BENCH_RATE change the size)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../adapters/redis/store.ts';
import { DeliveryRuntime } from '../src/app/deliveryRuntime.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../src/app/schedulerConfig.ts';
import { localToInstant } from '../src/core/calendar.ts';
import type { Member, NetworkDefinition, Offset } from '../src/core/model.ts';
import { FakeChatServer, HttpChatPlatform } from './fakeChatServer.ts';

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1000);
const TASKS = Number(process.env.BENCH_TASKS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 250);
const HEADROOM = Number(process.env.BENCH_HEADROOM ?? 1);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;

const off = (text: string): Offset => ({ text, sign: text.startsWith('-') ? -1 : 1, amount: Number(text.replace(/\D/g, '')), unit: 'd' });

function benchNetwork(): NetworkDefinition {
  const municipalities = Array.from({ length: 50 }, (_, i) => ({
    id: String(3000 + i),
    name: `Kommune ${3000 + i}`,
    platform: 'slack' as const,
    members: [] as Member[],
  }));
  for (let p = 0; p < PEOPLE; p++) {
    municipalities[p % 50]!.members.push({ name: `Deltaker ${p}`, email: `d${p}@bench.example.no`, roles: ['deltaker'] });
  }
  return {
    id: 'bench-delivery',
    name: 'Benchmark network',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Org Anisator', email: 'org@bench.example.no', platform: 'slack' }],
    municipalities,
    gatherings: [
      {
        id: 'samling-1',
        title: 'Samling 1',
        starts: '2027-09-22T09:00',
        ends: '2027-09-22T15:00',
        tasks: Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, title: `Oppgave ${i + 1}`, for: ['deltaker' as const], send: off('-14d'), due: off('-1d') })),
      },
    ],
    checkin: { questions: [] },
    status: { every: { text: '14d', sign: 1, amount: 14, unit: 'd' } },
    digest: { cron: '0 8 * * 1' },
    quiet: { hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true },
    lagging: { status_stale_days: 28, prep_incomplete_days_before: 2, checkin_unanswered: true, steering_silent_days: 60, reflection_silent_days: 45 },
  };
}

const mb = (n: number) => Math.round(n / 1024 / 1024);
const fake = new FakeChatServer(RATE, 1000);
await fake.start();
const redis = new Redis(url);
const store = new RedisStore(redis, { prefix });
const sendAt = localToInstant('2027-09-08T09:00', 'Europe/Oslo');
const runtime = new DeliveryRuntime({
  redis,
  store,
  texts: loadTexts(),
  prefix,
  clock: () => sendAt,
  config: {
    ...DEFAULT_SCHEDULER_CONFIG,
    // The benchmark measures the 5,000 task prompts; steering-group nudges are another flow.
    nudges: undefined,
    concurrency: 64,
    limits: { ...DEFAULT_SCHEDULER_CONFIG.limits, slack: { ratePerSecond: Math.floor(RATE * HEADROOM), conversationIntervalMs: Number(process.env.BENCH_PACE_MS ?? 1050) } },
  },
});
const memory: { s: number; rss: number; heap: number }[] = [];
const started = Date.now();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  memory.push({ s: Math.round((Date.now() - started) / 1000), rss: mb(m.rss), heap: mb(m.heapUsed) });
}, 1000);
try {
  await store.importNetwork(benchNetwork(), { now: localToInstant('2027-09-08T08:30', 'Europe/Oslo') });
  const tickStart = Date.now();
  const report = await runtime.tick(sendAt);
  const fanOutMs = Date.now() - tickStart;
  const enqueued = report.networks.reduce((n, r) => n + r.enqueued, 0);
  runtime.startWorkers({ slack: new HttpChatPlatform(fake.url) });
  await runtime.drain(10 * 60_000, 100);
  clearInterval(sampler);

  const s = fake.stats;
  const seconds = ((s.lastAcceptedMs ?? 0) - (s.firstAcceptedMs ?? 0)) / 1000;
  const achieved = s.accepted / Math.max(seconds, 0.001);
  console.log(`prompts fanned out and enqueued: ${enqueued} in ${fanOutMs} ms`);
  console.log(`delivered: ${s.accepted} of ${PEOPLE * TASKS} · duplicates: ${s.duplicates} · 429 answers: ${s.rejected429} (${s.rejectedChannel} per-channel, ${s.rejected429 - s.rejectedChannel} global)`);
  console.log(`throughput: ${achieved.toFixed(1)} msg/s over ${seconds.toFixed(1)} s; allowed ${RATE} msg/s → ${((100 * achieved) / RATE).toFixed(1)} % of the allowed rate (Samla configured at ${Math.round(HEADROOM * 100)} % of it)`);
  console.log('memory over time (s: rss MB / heap MB):');
  console.log('  ' + memory.map((m) => `${m.s}: ${m.rss}/${m.heap}`).join(' · '));
} finally {
  clearInterval(sampler);
  await runtime.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  await fake.close();
}
