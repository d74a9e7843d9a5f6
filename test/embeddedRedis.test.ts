/**
 * Which Redis `npm start` uses (src/app/demoRedis.ts): REDIS_URL when set, else the default when
 * it answers, else a private redis-server with its data in .samla/redis/, else a plain message.
 * "Nothing answers on the default" is simulated with a default URL on a port nobody listens on.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { pingRedis, resolveRedis, type EmbeddedRedis } from '../src/app/demoRedis.ts';
import { redisUrl } from './helpers/redis.ts';

const dirs: string[] = [];
const servers: EmbeddedRedis[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workdir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'samla-start-'));
  dirs.push(d);
  return d;
}

/** A port where nothing listens (asked from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('the Redis npm start uses', () => {
  it('starts a private redis-server, append-only with its data under .samla/, when REDIS_URL is unset and the default does not answer', async () => {
    const cwd = workdir();
    const r = await resolveRedis({ cwd, defaultUrl: `redis://127.0.0.1:${await closedPort()}` });
    servers.push(r.embedded!);
    expect(r.source).toBe('embedded');
    expect(r.embedded!.dir).toBe(path.join(cwd, '.samla', 'redis'));
    const port = r.embedded!.port;
    expect(r.url).toBe(`redis://127.0.0.1:${port}`);
    const client = new Redis(r.url);
    try {
      await client.set('samla-embedded-check', 'kept');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', path.join(cwd, '.samla', 'redis')]);
    } finally {
      client.disconnect();
    }
    expect(JSON.parse(readFileSync(path.join(cwd, '.samla', 'redis', 'samla-redis.json'), 'utf8'))).toMatchObject({ port });

    // A second start on the same folder while it runs (a Samla killed without stopping it) takes it over.
    const again = await resolveRedis({ cwd, defaultUrl: `redis://127.0.0.1:${await closedPort()}` });
    expect(again.embedded).toMatchObject({ port, adopted: true });

    await r.embedded!.stop();
    expect(await pingRedis('127.0.0.1', port)).toBe(false);
    expect(existsSync(path.join(cwd, '.samla', 'redis', 'samla-redis.json'))).toBe(false);

    // Started again, it has what it had: the append-only file is replayed.
    const third = await resolveRedis({ cwd, defaultUrl: `redis://127.0.0.1:${await closedPort()}` });
    servers.push(third.embedded!);
    expect(third.embedded!.adopted).toBe(false);
    const after = new Redis(third.url);
    try {
      expect(await after.get('samla-embedded-check')).toBe('kept');
    } finally {
      after.disconnect();
    }
  }, 30_000);

  it('uses REDIS_URL as given, and never starts anything in its place', async () => {
    const cwd = workdir();
    const r = await resolveRedis({ url: 'redis://127.0.0.1:1', cwd, defaultUrl: `redis://127.0.0.1:${await closedPort()}` });
    expect(r).toEqual({ url: 'redis://127.0.0.1:1', source: 'env' });
    expect(existsSync(path.join(cwd, '.samla'))).toBe(false);
  });

  it('uses the default when it answers', async () => {
    const r = await resolveRedis({ cwd: workdir(), defaultUrl: redisUrl() });
    expect(r).toEqual({ url: redisUrl(), source: 'default' });
  });

  it('says plainly how to get Redis when there is none', async () => {
    const closed = await closedPort();
    const failure = resolveRedis({ cwd: workdir(), defaultUrl: `redis://127.0.0.1:${closed}`, redisServer: 'redis-server-that-is-not-installed' });
    await expect(failure).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(failure).rejects.toThrow(
      new RegExp(
        `Samla needs Redis\\. Nothing answers at redis://127\\.0\\.0\\.1:${closed}, and redis-server-that-is-not-installed is not installed \\(not on the PATH\\)\\.[^]*sudo apt-get install redis-server[^]*brew install redis[^]*docker run -d -p 6379:6379 redis:7[^]*REDIS_URL`,
      ),
    );
  });
});
