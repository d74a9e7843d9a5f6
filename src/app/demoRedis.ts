/**
 * Which Redis `samla start` uses, so that `npm start` works on a fresh machine:
 *
 * 1. `REDIS_URL` when it is set (if it does not answer, start-up fails and says so: an explicit
 *    setting is never replaced by something else);
 * 2. else the default, redis://127.0.0.1:6379, when it answers PING;
 * 3. else a private `redis-server` from the PATH, on a free port on 127.0.0.1, with its data in
 *    `.samla/redis/` (append-only file on, so the demo survives a restart). It is stopped when
 *    Samla stops. A server left running by a Samla that was killed is found (by the pid and port
 *    recorded next to its data) and used instead of starting a second one on the same files;
 * 4. else a plain message saying how to get Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SamlaError } from '../core/errors.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface EmbeddedRedis {
  port: number;
  /** The folder with the append-only file. */
  dir: string;
  /** True when a server left by an earlier Samla was taken over instead of starting one. */
  adopted: boolean;
  /** Stops the server (a clean shutdown: SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

export interface ResolvedRedis {
  url: string;
  source: 'env' | 'default' | 'embedded';
  embedded?: EmbeddedRedis;
}

export interface ResolveRedisOptions {
  /** REDIS_URL, when it is set (src/app/env.ts). */
  url?: string | undefined;
  /** Where `.samla/` goes (the working directory). */
  cwd: string;
  /** Tried when REDIS_URL is unset (tests point it at a port where nothing answers). */
  defaultUrl?: string;
  /** The redis-server executable (default: "redis-server" from the PATH). */
  redisServer?: string;
}

/** Finds or starts the Redis to use; see the module comment. */
export async function resolveRedis(opts: ResolveRedisOptions): Promise<ResolvedRedis> {
  const explicit = opts.url?.trim();
  if (explicit) return { url: explicit, source: 'env' };
  const fallback = opts.defaultUrl ?? DEFAULT_REDIS_URL;
  const u = new URL(fallback);
  if (await pingRedis(u.hostname, Number(u.port || 6379))) return { url: fallback, source: 'default' };
  const embedded = await startEmbeddedRedis(path.join(opts.cwd, '.samla', 'redis'), opts.redisServer ?? 'redis-server', fallback);
  return { url: `redis://127.0.0.1:${embedded.port}`, source: 'embedded', embedded };
}

/** True when something at host:port answers a Redis PING within the timeout. */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `pid` has exited, up to `ms`; true when it has. */
async function exited(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function noRedis(url: string, detail: string): SamlaError {
  return new SamlaError(
    'UNAVAILABLE',
    `Samla needs Redis. Nothing answers at ${url}, and ${detail}. Get Redis in one of these ways, then run npm start again:\n` +
      '  Debian/Ubuntu:  sudo apt-get install redis-server\n' +
      '  macOS:          brew install redis\n' +
      '  a container:    docker run -d -p 6379:6379 redis:7\n' +
      'or set REDIS_URL to a Redis that answers (e.g. in .env).',
  );
}

/**
 * Starts `redis-server` with its data in `dir` (created), append-only, on a free port on
 * 127.0.0.1, in its own process group (Ctrl-C in the terminal reaches Samla, which stops Redis
 * last, after its own work in flight).
 */
export async function startEmbeddedRedis(dir: string, redisServer = 'redis-server', triedUrl = DEFAULT_REDIS_URL): Promise<EmbeddedRedis> {
  mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, 'samla-redis.json');
  const left = readState(stateFile);
  if (left && alive(left.pid) && (await pingRedis('127.0.0.1', left.port))) {
    return handle(left.port, dir, true, async () => {
      process.kill(left.pid, 'SIGTERM');
      if (!(await exited(left.pid, 5000))) process.kill(left.pid, 'SIGKILL');
      rmSync(stateFile, { force: true });
    });
  }

  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--logfile', path.join(dir, 'redis.log')];
  let child: ChildProcess;
  try {
    child = spawn(redisServer, args, { stdio: 'ignore', detached: true });
  } catch (err) {
    throw noRedis(triedUrl, `starting ${redisServer} failed (${(err as Error).message})`);
  }
  const failed = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis('127.0.0.1', port))) {
    const error = await Promise.race([failed, sleep(100).then(() => undefined)]);
    if (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw noRedis(triedUrl, missing ? `${redisServer} is not installed (not on the PATH)` : `starting ${redisServer} failed (${error.message})`);
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw noRedis(triedUrl, `${redisServer} did not start; see ${path.join(dir, 'redis.log')}`);
    }
  }
  const pid = child.pid!;
  child.unref();
  writeFileSync(stateFile, JSON.stringify({ pid, port }) + '\n');
  return handle(port, dir, false, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await exited(pid, 5000))) child.kill('SIGKILL');
    }
    rmSync(stateFile, { force: true });
  });
}

function handle(port: number, dir: string, adopted: boolean, stopOnce: () => Promise<void>): EmbeddedRedis {
  let stopping: Promise<void> | undefined;
  return { port, dir, adopted, stop: () => (stopping ??= stopOnce()) };
}

function readState(file: string): { pid: number; port: number } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown };
    return Number.isInteger(s.pid) && Number.isInteger(s.port) ? { pid: s.pid as number, port: s.port as number } : undefined;
  } catch {
    return undefined;
  }
}
