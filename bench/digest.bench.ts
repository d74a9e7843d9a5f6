/**
 * Digest benchmark (issue 6): the organisers' digest for networks of 100, 200 and 400
 * municipalities with two years of history each, in Redis under a random prefix (deleted after):
 * per municipality fortnightly statuses, task answers and check-ins for eight gatherings, monthly
 * reflection notes, quarterly steering meetings, and the scheduler's `prompt.sent` events in the
 * event log (which loadRecords must not read).
 *
 * Prints, per size (median of BENCH_RUNS runs after a warm-up):
 * - baseline: the same records read from Redis as raw strings (same keys and ranges, same round
 *   trips; no decoding, no rules);
 * - load: loadRecords as the digest calls it (read and decode what the rules look at now);
 * - compute: computeSignals + readiness (buildDigest) and the message (digestMessage);
 * - total = load + compute; and for reference, reading the whole event log once (what loading
 *   project-leader changes used to cost);
 * and the growth factor from each size to the next, side by side with the baseline's.
 * Aim: total under 200 ms at 400, growing no faster than linearly (factor ≈ 2 per doubling).
 *
 *   npm run bench:digest   (REDIS_URL or redis://127.0.0.1:6379; BENCH_SIZES=100,200,400, BENCH_RUNS=7)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { buildDigest, digestMessage } from '../src/core/lagging/digest.ts';
import { loadRecords } from '../src/core/lagging/records.ts';
import { gatheringsAround } from '../src/core/schedule.ts';
import type { Gathering, Member, Municipality, NetworkDefinition, Offset, Party } from '../src/core/model.ts';

const SIZES = (process.env.BENCH_SIZES ?? '100,200,400').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROMPT_EVENTS_PER_MUNICIPALITY = Number(process.env.BENCH_PROMPT_EVENTS ?? 600);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;
const DAY = 24 * 3600 * 1000;
const START = Date.parse('2026-01-05T09:00:00Z');
const NOW = new Date('2027-12-06T07:00:00Z'); // Monday 08:00 in Oslo, two years in; the last gathering in 9 days

const off = (text: string): Offset => {
  const m = /^([+-]?)(\d+)([dw])$/.exec(text)!;
  return { text, sign: m[1] === '-' ? -1 : 1, amount: Number(m[2]), unit: m[3] as 'd' | 'w' };
};
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function members(kommune: string): Member[] {
  const p = (j: number, roles: Member['roles'], party?: Party, chair?: boolean): Member => ({
    name: `Person ${j} ${kommune}`,
    email: `p${j}@k${kommune}.example.no`,
    roles,
    ...(party ? { party } : {}),
    ...(chair ? { chair } : {}),
  });
  return [
    p(0, ['prosjektleder', 'kontaktperson']),
    p(1, ['styringsgruppe'], 'administrasjon', true),
    p(2, ['styringsgruppe'], 'tillitsvalgt'),
    p(3, ['styringsgruppe'], 'politiker'),
    p(4, ['refleksjonsgruppe', 'deltaker']),
    p(5, ['refleksjonsgruppe', 'deltaker']),
    p(6, ['refleksjonsgruppe', 'deltaker']),
    p(7, ['deltaker']),
    p(8, ['deltaker']),
    p(9, ['deltaker']),
  ];
}

/** Eight gatherings over two years (every 13 weeks), the last one 9 days after NOW. */
function gatherings(): Gathering[] {
  return Array.from({ length: 8 }, (_, i) => {
    const day = isoDay(NOW.getTime() + 9 * DAY - (7 - i) * 91 * DAY);
    return {
      id: `samling-${i + 1}`,
      title: `Samling ${i + 1}`,
      starts: `${day}T09:00`,
      ends: `${day}T15:00`,
      location: 'Oslo',
      tasks: [
        { id: `forarbeid-${i + 1}`, title: `Forarbeid ${i + 1}`, for: ['prosjektleder', 'styringsgruppe'], send: off('-21d'), due: off('-3d') },
        { id: `refleksjon-${i + 1}`, title: `Refleksjon ${i + 1}`, for: ['refleksjonsgruppe'], send: off('-14d'), due: off('-2d') },
      ],
      checkin: { send: off('-3d') },
      reflection: { send: off('+7d') },
    };
  });
}

function network(size: number): NetworkDefinition {
  const municipalities: Municipality[] = Array.from({ length: size }, (_, i) => {
    const id = String(1000 + i);
    return { id, name: `Kommune ${id}`, platform: i % 2 ? 'teams' : 'slack', members: members(id) };
  });
  return {
    id: `bench-digest-${size}`,
    name: `Digest benchmark ${size}`,
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Ingrid Fjeld', email: 'ingrid.fjeld@example.no', platform: 'slack', locale: 'en' }],
    municipalities,
    gatherings: gatherings(),
    checkin: {
      questions: [
        { id: 'attending', kind: 'choice', text: 'Kommer du?', options: ['ja', 'nei', 'usikker'] },
        { id: 'prepared', kind: 'choice', text: 'Er forberedelsene gjort?', options: ['ja', 'delvis', 'nei'] },
        { id: 'need', kind: 'text', text: 'Hva trenger dere?' },
      ],
    },
    status: { every: off('14d') },
    digest: { cron: '0 8 * * 1' },
    quiet: { hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true },
    lagging: { status_stale_days: 28, prep_incomplete_days_before: 2, checkin_unanswered: true, steering_silent_days: 60, reflection_silent_days: 45 },
  };
}

/** Writes two years of history for every municipality; returns the number of records written. */
async function writeHistory(store: RedisStore, redis: Redis, def: NetworkDefinition): Promise<number> {
  const writes: (() => Promise<unknown>)[] = [];
  def.municipalities.forEach((m, i) => {
    const email = (j: number) => m.members[j]!.email;
    // Fortnightly statuses; every fifth municipality stops reporting in the last three months.
    const lastStatus = i % 5 === 0 ? NOW.getTime() - 90 * DAY : NOW.getTime();
    for (let t = START, n = 0; t < lastStatus; t += 14 * DAY, n++) {
      writes.push(() => store.recordStatus({ id: `s${n}`, network: def.id, municipality: m.id, email: email(0), at: new Date(t).toISOString(), overall: n % 3 ? 'on_track' : 'a_bit_behind', done: 'Gjort mye', next: 'Mer', steeringMet: n % 6 === 0 }));
    }
    for (let t = START + 10 * DAY, n = 0; t < NOW.getTime(); t += 30 * DAY, n++) {
      writes.push(() => store.recordReflection({ id: `r${n}`, network: def.id, municipality: m.id, email: email(4), at: new Date(t).toISOString(), topic: 'Turnus', discussed: 'Vi drøftet turnus og kompetanse.', willTry: 'Prøve ny plan', share: n % 2 ? 'anonymised' : 'no' }));
    }
    for (let t = START + 20 * DAY, n = 0; t < NOW.getTime(); t += 91 * DAY, n++) {
      writes.push(() => store.recordSteeringMeeting({ id: `m${n}`, network: def.id, municipality: m.id, date: isoDay(t), attendees: [{ name: `Person 1 ${m.id}`, party: 'administrasjon' }], loggedBy: email(1), at: new Date(t).toISOString() }));
    }
    for (const g of def.gatherings) {
      const at = new Date(Date.parse(`${g.starts}:00Z`) - 5 * DAY).toISOString();
      for (const task of g.tasks) {
        const who = task.for.includes('refleksjonsgruppe') ? [4, 5, 6] : [0, 1, 2, 3];
        for (const j of who) writes.push(() => store.recordTaskCompletion({ network: def.id, gathering: g.id, task: task.id, municipality: m.id, email: email(j), answer: (i + j) % 4 ? 'done' : 'not_yet', at }));
      }
      for (const j of [0, 1, 2, 4, 5, 7, 8]) {
        writes.push(() => store.recordCheckin({ network: def.id, gathering: g.id, municipality: m.id, email: email(j), answers: { attending: j % 4 ? 'ja' : 'nei', prepared: j % 3 ? 'ja' : 'delvis', need: 'Eksempler fra andre' }, at }));
      }
    }
  });
  for (let i = 0; i < writes.length; i += 2000) await Promise.all(writes.slice(i, i + 2000).map((w) => w()));
  // The scheduler's own events: two years of prompt.sent for every municipality.
  const events = store.keys.events(def.id);
  const total = PROMPT_EVENTS_PER_MUNICIPALITY * def.municipalities.length;
  for (let i = 0; i < total; i += 5000) {
    const pipe = redis.pipeline();
    for (let j = i; j < Math.min(total, i + 5000); j++) {
      const data = JSON.stringify({ occurrence: `${def.id}:task:x:${j}`, item: `${def.id}:task:x`, kind: 'task', email: `p${j % 10}@k${1000 + (j % def.municipalities.length)}.example.no`, platform: 'slack', conversation: 'D1', message: String(j) });
      pipe.xadd(events, '*', 'type', 'prompt.sent', 'at', NOW.toISOString(), 'actor', 'scheduler', 'data', data);
    }
    await pipe.exec();
  }
  return writes.length;
}

/**
 * The baseline: the same records loadRecords reads for the digest (every status, the newest note
 * and steering meeting, the next gathering's task answers, the next and last gatherings'
 * check-ins, leader changes, unreachable people), read from Redis as raw strings in the same two
 * round trips (ids, then records), nothing decoded or computed.
 */
async function rawRead(redis: Redis, store: RedisStore, def: NetworkDefinition): Promise<number> {
  const k = store.keys;
  const { next, last } = gatheringsAround(def, NOW);
  const ids = redis.pipeline();
  for (const m of def.municipalities) {
    ids.zrevrange(k.status(def.id, m.id), 0, -1).zrange(k.reflections(def.id, m.id), '-1', '-1').zrange(k.steering(def.id, m.id), '-1', '-1');
  }
  const found = ((await ids.exec()) ?? []).map(([, v]) => v as string[]);
  const records = redis.pipeline();
  def.municipalities.forEach((m, i) => {
    const [s, r, st] = [found[3 * i]!, found[3 * i + 1]!, found[3 * i + 2]!];
    if (s.length) records.hmget(k.statusById(def.id, m.id), ...s);
    if (r.length) records.hmget(k.reflectionsById(def.id, m.id), ...r);
    if (st.length) records.hmget(k.steeringById(def.id, m.id), ...st);
  });
  if (next) records.hgetall(k.tasks(def.id, next.id)).hgetall(k.checkins(def.id, next.id));
  if (last) records.hgetall(k.checkins(def.id, last.id));
  records.lrange(k.leaderChanges(def.id), 0, -1).hgetall(k.unreachable(def.id));
  return ((await records.exec()) ?? []).length;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function deleteUnder(redis: Redis, p: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

interface Row {
  size: number;
  records: number;
  baseline: number;
  load: number;
  compute: number;
  total: number;
  eventLog: number;
  attention: number;
}

async function main(): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const store = new RedisStore(redis, { prefix });
  const texts = loadTexts();
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      const def = network(size);
      await store.importNetwork(def, { now: new Date(START - 30 * DAY) });
      const [records, genMs] = await timed(() => writeHistory(store, redis, def));
      process.stderr.write(`generated ${size} municipalities: ${records} records and ${PROMPT_EVENTS_PER_MUNICIPALITY * size} prompt events in ${(genMs / 1000).toFixed(1)} s\n`);
      const b: number[] = [];
      const l: number[] = [];
      const c: number[] = [];
      let attention = 0;
      for (let run = 0; run <= RUNS; run++) {
        const [, baseMs] = await timed(() => rawRead(redis, store, def));
        const [loaded, loadMs] = await timed(() => loadRecords(store, def, undefined, { now: NOW }));
        const [digest, computeMs] = await timed(() => {
          const d = buildDigest(def, loaded, NOW, {});
          digestMessage(texts, 'nb', def, d);
          return d;
        });
        attention = digest.attention.length;
        if (run === 0) continue; // warm-up
        b.push(baseMs);
        l.push(loadMs);
        c.push(computeMs);
      }
      const [, eventLog] = await timed(() => store.events(def.id));
      rows.push({ size, records, baseline: median(b), load: median(l), compute: median(c), total: median(l) + median(c), eventLog, attention });
    }
  } finally {
    await deleteUnder(redis, prefix);
    await redis.quit();
  }

  const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
  console.log(`digest benchmark: median of ${RUNS} runs; now = ${NOW.toISOString()}; Redis ${url}`);
  console.log('');
  console.log('municipalities  records   baseline (raw read)   load (loadRecords)   compute (digest)   total      | event log once  attention');
  for (const r of rows) {
    console.log(
      `${String(r.size).padStart(14)}  ${String(r.records).padStart(7)}   ${ms(r.baseline)}            ${ms(r.load)}           ${ms(r.compute)}         ${ms(r.total)} | ${ms(r.eventLog)}       ${r.attention}`,
    );
  }
  console.log('');
  console.log('growth from one size to the next (linear = size ratio)');
  console.log('from → to      size ×   baseline ×   load ×   compute ×   total ×');
  for (let i = 1; i < rows.length; i++) {
    const [a, z] = [rows[i - 1]!, rows[i]!];
    const f = (x: number, y: number) => (y / x).toFixed(2).padStart(8);
    console.log(`${String(a.size).padStart(4)} → ${String(z.size).padEnd(4)}  ${f(a.size, z.size)}   ${f(a.baseline, z.baseline)}    ${f(a.load, z.load)}   ${f(a.compute, z.compute)}   ${f(a.total, z.total)}`);
  }
  const last = rows.at(-1)!;
  console.log('');
  console.log(`aim: total < 200 ms at ${last.size} → ${last.total.toFixed(1)} ms ${last.total < 200 ? 'OK' : 'MISSED'}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
