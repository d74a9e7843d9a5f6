/**
 * Import benchmark (issue 2): a generated network of 400 municipalities and 50,000 people.
 * Prints import time, peak RSS and the time of `show` and `agenda`, side by side with a
 * baseline measured in the same run on the same file: the least any Redis-backed tool must do
 * (parse the YAML, one SET of the data as JSON, one GET + JSON.parse, one pass over all members).
 * Each side runs in a process of its own (bench/importRun.ts), so each peak RSS is its own;
 * the baseline's includes Node, tsx and the loaded modules, the floor Samla's stands on.
 * Aims: import under 10 s, agenda under 200 ms, RSS under 200 MB.
 *
 *   npm run bench     (REDIS_URL or redis://127.0.0.1:6379; writes under a random prefix, deleted after;
 *                      BENCH_MUNICIPALITIES and BENCH_PEOPLE change the size)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { generateNetworkYaml } from './generateNetwork.ts';

const MUNICIPALITIES = Number(process.env.BENCH_MUNICIPALITIES ?? 400);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `samla-bench:${randomBytes(4).toString('hex')}:`;
const dir = mkdtempSync(path.join(tmpdir(), 'samla-bench-'));
const file = path.join(dir, 'bench-network.yaml');
const runner = fileURLToPath(new URL('./importRun.ts', import.meta.url));

function run(mode: 'samla' | 'baseline'): Record<string, number> {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', runner, mode, file, url, prefix], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const redis = new Redis(url);
try {
  const yaml = generateNetworkYaml(MUNICIPALITIES, PEOPLE);
  writeFileSync(file, yaml);
  const base = run('baseline');
  const samla = run('samla');

  const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} ms`).padStart(10);
  const mb = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} MB`).padStart(10);
  console.log(`Samla import benchmark: ${MUNICIPALITIES} municipalities, ${PEOPLE} people, ${(yaml.length / 1024 / 1024).toFixed(1)} MB of YAML`);
  console.log('');
  console.log(`${'step'.padEnd(28)}${'samla'.padStart(10)}${'baseline'.padStart(10)}   aim`);
  console.log(`${'parse + validate file'.padEnd(28)}${ms(samla.parseMs)}${ms(base.parseMs)}`);
  console.log(`${'import into Redis'.padEnd(28)}${ms(samla.importMs)}${ms(base.importMs)}`);
  console.log(`${'  parse + import'.padEnd(28)}${ms(samla.parseMs! + samla.importMs!)}${ms(base.parseMs! + base.importMs!)}   < 10000 ms`);
  console.log(`${'import again, unchanged'.padEnd(28)}${ms(samla.reimportMs)}${ms(undefined)}`);
  console.log(`${'show'.padEnd(28)}${ms(samla.showMs)}${ms(base.showMs)}`);
  console.log(`${'agenda (13 months)'.padEnd(28)}${ms(samla.agendaMs)}${ms(base.agendaMs)}   < 200 ms`);
  console.log(`${'RSS at start'.padEnd(28)}${mb(samla.startRssMb)}${mb(base.startRssMb)}`);
  console.log(`${'peak RSS'.padEnd(28)}${mb(samla.peakRssMb)}${mb(base.peakRssMb)}   < 200 MB`);
  console.log('');
  console.log(`agenda: ${samla.prompts} prompts in the window`);
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
