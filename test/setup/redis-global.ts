/**
 * Finds a Redis for the tests, once per run:
 *   1. REDIS_URL when set;
 *   2. else 127.0.0.1:6379 when it answers PING (shared with everything on the machine: tests
 *      write under their own prefix and never FLUSH);
 *   3. else a private `redis-server` on a free port, without persistence, stopped at teardown.
 * Tests read the URL with `inject('redisUrl')` (test/helpers/redis.ts); REDIS_URL is also set.
 */
import { freePort, pingRedis } from '../../src/app/demoRedis.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis every test file uses, under its own key prefix. */
    redisUrl: string;
  }
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.REDIS_URL;
  let stop = async (): Promise<void> => {};
  if (!url) {
    if (await answersPing('127.0.0.1', 6379)) {
      url = DEFAULT_URL;
    } else {
      const server = await startPrivateRedis();
      url = server.url;
      stop = server.stop;
    }
  }
  process.env.REDIS_URL = url;
  project.provide('redisUrl', url);
  return stop;
}

/** True when something at host:port answers a Redis PING (the same check `npm start` uses). */
export const answersPing = pingRedis;

/** Starts `redis-server` on a free port with no persistence; returns its URL and a stop function. */
export async function startPrivateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'samla-test-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + 5000;
  while (!(await answersPing('127.0.0.1', port))) {
    const failed = await Promise.race([spawnError, sleep(100).then(() => undefined)]);
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        'No Redis for the tests: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and starting ' +
          `"redis-server" failed (${failed?.message ?? `exit code ${child.exitCode ?? 'none'}`}). ` +
          'Install redis-server or set REDIS_URL.',
      );
    }
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child, dir) };
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
