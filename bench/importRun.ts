/**
 * One measured run for bench/import.bench.ts, in a process of its own so its peak RSS is its
 * own: `node --import tsx bench/importRun.ts <mode> <file> <redisUrl> <prefix>`. Prints one JSON
 * line. Modes:
 *   samla     parse + validate the file, import it, import it again unchanged, show, agenda
 *   baseline  read the file and do the least any store must do: one SET of the data as JSON,
 *             one GET + JSON.parse, one pass over all members
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { load, CORE_SCHEMA } from 'js-yaml';
import { RedisStore } from '../adapters/redis/store.ts';
import { buildNetworkView } from '../src/cli/networkView.ts';
import { planAgenda } from '../src/core/agenda.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';

const [mode, file, url, prefix] = process.argv.slice(2) as [string, string, string, string];
const redis = new Redis(url);
const window = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

const out: Record<string, number> = {};
const startRss = process.memoryUsage().rss;
const text = readFileSync(file, 'utf8');

if (mode === 'samla') {
  const store = new RedisStore(redis, { prefix });
  const [def, parseMs] = await time(() => parseNetworkFile(text, file));
  if (process.env.BENCH_TRACE) console.error("after parse", process.resourceUsage().maxRSS / 1024);
  const [, importMs] = await time(() => store.importNetwork(def));
  if (process.env.BENCH_TRACE) console.error("after import", process.resourceUsage().maxRSS / 1024);
  const [, reimportMs] = await time(() => store.importNetwork(def));
  if (process.env.BENCH_TRACE) console.error("after reimport", process.resourceUsage().maxRSS / 1024);
  const [, showMs] = await time(async () => {
    const [d, s, p] = await Promise.all([store.getNetwork(def.id), store.getSummary(def.id), store.getPeople(def.id)]);
    return buildNetworkView(d!, s!, p);
  });
  if (process.env.BENCH_TRACE) console.error("after show", process.resourceUsage().maxRSS / 1024);
  const [items, agendaMs] = await time(() => planAgenda(def, window));
  Object.assign(out, { parseMs, importMs, reimportMs, showMs, agendaMs, prompts: items.length });
} else {
  type Data = { municipalities: { id: string; members: { email: string; name: string; roles: string[] }[] }[] };
  const [data, parseMs] = await time(() => load(text, { schema: CORE_SCHEMA }) as Data);
  const [, importMs] = await time(() => redis.set(`${prefix}baseline`, JSON.stringify(data)));
  const [, showMs] = await time(async () => JSON.parse((await redis.get(`${prefix}baseline`))!));
  const [, agendaMs] = await time(() => {
    const recipients = [];
    for (const m of data.municipalities) for (const p of m.members) recipients.push({ email: p.email, name: p.name, municipality: m.id, roles: p.roles });
    return recipients;
  });
  Object.assign(out, { parseMs, importMs, showMs, agendaMs });
}
out.startRssMb = startRss / 1024 / 1024;
out.peakRssMb = process.resourceUsage().maxRSS / 1024;
redis.disconnect();
console.log(JSON.stringify(out));
