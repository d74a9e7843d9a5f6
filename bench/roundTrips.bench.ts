/**
 * Redis round trips per Slack `/status` (until views.open reached Slack, and in all) and per
 * Teams check-in answer (until Samla answered the activity, and in all), before and after the
 * hot-path work of issue 11, measured in the same run.
 *
 *   npm run bench:roundtrips   (REDIS_URL or redis://127.0.0.1:6379; writes under random
 *   prefixes, deleted after; BENCH_BASELINE_REF picks the "before" revision, default
 *   84f9b6a: the code before the definition cache and the person index)
 *
 * "Before" is that revision's code, extracted with `git archive` into a temporary directory
 * (sharing this checkout's node_modules) and driven by the same runner; "after" is this tree.
 * How trips are counted: bench/roundTripsRun.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runner = fileURLToPath(new URL('./roundTripsRun.ts', import.meta.url));
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const baselineRef = process.env.BENCH_BASELINE_REF ?? '84f9b6a';

interface Figures {
  status: { beforeModal: number; total: number }[];
  checkin: { untilAnswer: number; total: number }[];
}

function measure(root: string): Promise<Figures> {
  const prefix = `samla-trips:${randomBytes(4).toString('hex')}:`;
  const child = spawn(process.execPath, ['--import', 'tsx', runner, root, url, prefix], { stdio: ['ignore', 'pipe', 'inherit'], cwd: repo });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the runner for ${root} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Figures);
    });
  });
}

const before = mkdtempSync(path.join(tmpdir(), 'samla-trips-'));
try {
  execFileSync('sh', ['-c', `git -C "${repo}" archive ${baselineRef} | tar -x -C "${before}"`]);
  symlinkSync(path.join(repo, 'node_modules'), path.join(before, 'node_modules'));
  const old = await measure(before);
  const now = await measure(repo);
  const same = (xs: number[]) => (xs.every((x) => x === xs[0]) ? String(xs[0]) : xs.join('/'));
  const row = (label: string, a: number[], b: number[]) => console.log(`${label.padEnd(44)}${same(a).padStart(10)}${same(b).padStart(10)}`);
  console.log(`Redis round trips per request (3 runs each; one number when all agree), before = ${baselineRef}`);
  console.log('');
  console.log(`${''.padEnd(44)}${'before'.padStart(10)}${'after'.padStart(10)}`);
  row('Slack /status, until views.open', old.status.map((r) => r.beforeModal), now.status.map((r) => r.beforeModal));
  row('Slack /status, in all', old.status.map((r) => r.total), now.status.map((r) => r.total));
  row('Teams check-in answer, until answered', old.checkin.map((r) => r.untilAnswer), now.checkin.map((r) => r.untilAnswer));
  row('Teams check-in answer, in all', old.checkin.map((r) => r.total), now.checkin.map((r) => r.total));
} finally {
  rmSync(before, { recursive: true, force: true });
}
