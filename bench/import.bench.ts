/**
 * Import benchmark: a generated network of 400 municipalities and 50,000 people.
 * Prints import time, peak RSS, and the time of `show` and `agenda`, each next to a baseline
 * measured in the same run on the same data:
 *   - import  vs. one SET of the same definition as a JSON string (the least any store must do)
 *   - show    vs. one GET + JSON.parse of that string
 *   - agenda  vs. one pass over every member, building a recipient per member
 * Aims (issue 2): import < 10 s, agenda < 200 ms, RSS < 200 MB.
 *
 *   npm run bench              (REDIS_URL or 127.0.0.1:6379; writes under a random prefix, deleted after)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../adapters/redis/store.ts';
import { planAgenda } from '../src/core/agenda.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { buildNetworkView } from '../src/cli/networkView.ts';
import { generateNetworkYaml } from './generateNetwork.ts';

const MUNICIPALITIES = Number(process.env.BENCH_MUNICIPALITIES ?? 400);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return [result, performance.now() - t0];
}

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(12);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;
  const store = new RedisStore(redis, { prefix });
  try {
    const yaml = generateNetworkYaml(MUNICIPALITIES, PEOPLE);
    const rssBefore = process.memoryUsage().rss;
    const [def, parseMs] = await time(() => parseNetworkFile(yaml, 'bench-network.yaml'));
    const [, importMs] = await time(() => store.importNetwork(def));
    const [, reimportMs] = await time(() => store.importNetwork(def));

    const json = JSON.stringify(def);
    const [, baseSetMs] = await time(() => redis.set(`${prefix}baseline`, json));

    const [, showMs] = await time(async () => {
      const [d, s, p] = await Promise.all([store.getNetwork(def.id), store.getSummary(def.id), store.getPeople(def.id)]);
      return buildNetworkView(d!, s!, p);
    });
    const [, baseGetMs] = await time(async () => JSON.parse((await redis.get(`${prefix}baseline`))!));

    const window = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
    planAgenda(def, window); // warm-up
    const [items, agendaMs] = await time(() => planAgenda(def, window));
    const [, baseAgendaMs] = await time(() => {
      const out = [];
      for (const m of def.municipalities) for (const p of m.members) out.push({ email: p.email, name: p.name, municipality: m.id, roles: p.roles });
      return out;
    });
    const recipients = items.reduce((n, i) => n + i.recipients.length, 0);
    clearInterval(sampler);

    console.log(`Samla import benchmark: ${MUNICIPALITIES} municipalities, ${PEOPLE} people, ${(yaml.length / 1024 / 1024).toFixed(1)} MB of YAML`);
    console.log('');
    console.log('step                          samla     baseline   baseline is');
    console.log(`parse + validate file   ${ms(parseMs)}            -`);
    console.log(`import (first)          ${ms(importMs)} ${ms(baseSetMs)}   one SET of the definition as JSON`);
    console.log(`import (unchanged)      ${ms(reimportMs)}            -`);
    console.log(`show                    ${ms(showMs)} ${ms(baseGetMs)}   one GET + JSON.parse`);
    console.log(`agenda (13 months)      ${ms(agendaMs)} ${ms(baseAgendaMs)}   one pass over all members`);
    console.log('');
    console.log(`agenda: ${items.length} prompts, ${recipients} recipient entries`);
    console.log(`RSS before parse ${mb(rssBefore)}, peak RSS ${mb(peakRss)} (aim < 200 MB)`);
    console.log(`import+parse ${((parseMs + importMs) / 1000).toFixed(2)} s (aim < 10 s), agenda ${agendaMs.toFixed(0)} ms (aim < 200 ms)`);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  }
}

await main();
