/**
 * Helpers for the reliability tests: a whole Samla (startSamla, the composition root) in this
 * process against a fake Slack and a real Redis, child processes of `bin/samla.js start`, free
 * ports, and polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { freePort } from '../../src/app/demoRedis.ts';
import { startSamla, type RunningSamla } from '../../src/app/main.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { BOT_TOKEN, SIGNING_SECRET, USERS, type Harness } from '../slack/harness.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE = fileURLToPath(new URL('../../examples/network.yaml', import.meta.url));

export { freePort };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function uniquePrefix(): string {
  return `samla-test:${randomBytes(6).toString('hex')}:`;
}

export interface FullSamla {
  samla: RunningSamla;
  fake: FakeSlackApi;
  base: string;
  /** For the Slack harness' request builders (slash, submit, click…). */
  slack: Harness;
  close(): Promise<void>;
}

/** startSamla with Slack (a fake Web API) and Teams (anonymous) on a free port. */
export async function startFullSamla(opts: { redisUrl: string; prefix: string; now?: () => Date; logger?: Logger; env?: NodeJS.ProcessEnv }): Promise<FullSamla> {
  const fake = await startFakeSlackApi();
  for (const u of Object.values(USERS)) fake.users.set(u.id, { ...u });
  const samla = await startSamla({
    env: {
      REDIS_URL: opts.redisUrl,
      SAMLA_REDIS_PREFIX: opts.prefix,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: fake.apiUrl,
      SAMLA_TICK_EVERY_MS: '3600000',
      SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0',
      SAMLA_DELIVERY_BACKOFF_MS: '50',
      ...(opts.env ?? {}),
    },
    port: 0,
    host: '127.0.0.1',
    networkFile: EXAMPLE,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const base = `http://127.0.0.1:${samla.server.port}`;
  return {
    samla,
    fake,
    base,
    slack: { url: `${base}/slack/events`, fake } as unknown as Harness,
    async close() {
      await samla.close();
      await fake.close();
    },
  };
}

export interface SamlaChild {
  child: ChildProcess;
  port: number;
  base: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code; SIGKILL after `ms`. */
  stop(ms?: number): Promise<number | null>;
}

/** `node bin/samla.js start --port <free>` with this environment; resolves once /readyz is 200. */
export async function spawnSamla(env: NodeJS.ProcessEnv, args: string[] = [], readyWithinMs = 20_000): Promise<SamlaChild> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/samla.js', 'start', '--port', String(port), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const handle: SamlaChild = {
    child,
    port,
    base,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(ms = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`samla start exited with ${child.exitCode}: ${err}`);
        try {
          return (await fetch(`${base}/readyz`)).status === 200;
        } catch {
          return false;
        }
      },
      readyWithinMs,
      `samla on port ${port} to be ready`,
    );
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return handle;
}
