/**
 * "This machine only" behind a proxy (issue 14). An nginx on the same host with its default
 * `proxy_pass` talks HTTP/1.0 to Samla from 127.0.0.1, rewrites Host to 127.0.0.1:PORT and sends
 * no X-Forwarded-For: its visitors must never count as local. /metrics needs its token outside
 * demo mode (or the 127.0.0.1-only SAMLA_METRICS_PORT); with SAMLA_TRUST_PROXY naming the proxy,
 * only the proxy's own word (X-Forwarded-For, read by Express) makes a client local; demo mode
 * listens on 127.0.0.1 only.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/app/env.ts';
import { isLocalRequest } from '../../src/http/localRequest.ts';
import { main } from '../../src/cli/main.ts';
import { connectTestRedis, deleteUnder, redisUrl } from '../helpers/redis.ts';
import { freePort, startFullSamla, uniquePrefix, type FullSamla } from './helpers.ts';
import type { Redis } from 'ioredis';

/** SAMLA_TRUST_PROXY and SAMLA_METRICS_PORT as the environment schema reads them (src/app/env.ts). */
function readExposureConfig(env: Record<string, string>) {
  const c = readEnv(env).config;
  return { ...(c.trustProxy ? { trustProxy: c.trustProxy } : {}), ...(c.metricsPort ? { metricsPort: c.metricsPort } : {}) };
}

const TOKEN = 'a-metrics-token-0123456789';

/** A request as nginx's default proxy_pass sends it: HTTP/1.0, Host 127.0.0.1:PORT, no X-Forwarded-For. */
function viaDefaultNginx(port: number, method: string, path: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (d) => (raw += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
      resolve({ status, text: raw.slice(raw.indexOf('\r\n\r\n') + 4) });
    });
    const head = [`${method} ${path} HTTP/1.0`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
    if (body) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** This machine's first address that is not loopback (undefined on a machine without one). */
const EXTERNAL = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const teamsProbe = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: string } }));

let redis: Redis;
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  await redis.quit();
});

describe('a proxy on the same machine that Samla was not told about (nginx defaults)', () => {
  const prefix = uniquePrefix();
  let s: FullSamla;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    s = await startFullSamla({ redisUrl: redisUrl(), prefix, env: { SAMLA_METRICS_TOKEN: TOKEN, SAMLA_METRICS_PORT: String(metricsPort) } });
  });
  afterAll(async () => {
    await s?.close();
    await deleteUnder(redis, prefix);
  });

  it('does not make its visitors local: anonymous Teams refuses them', async () => {
    const r = await viaDefaultNginx(s.samla.server.port, 'POST', '/api/messages', '{}');
    expect(r.status).toBe(403);
    expect(r.text).toContain('anonymous_local_only');
    // Straight from this machine (HTTP/1.1, localhost) Teams still answers (a 400 for a non-activity).
    expect(await teamsProbe(s.base)).toMatchObject({ status: 400, body: { error: 'invalid_activity' } });
  });

  it('serves /metrics on PORT only with the token, even to this machine; SAMLA_METRICS_PORT serves it on 127.0.0.1', async () => {
    expect((await viaDefaultNginx(s.samla.server.port, 'GET', '/metrics')).status).toBe(403);
    const direct = await fetch(`${s.base}/metrics`);
    expect(direct.status).toBe(403);
    expect(await direct.text()).toContain('SAMLA_METRICS_PORT');
    const withToken = await fetch(`${s.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('samla_redis_up');

    expect(s.samla.server.metricsPort).toBe(metricsPort);
    const local = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('samla_redis_up');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/messages`, { method: 'POST', body: '{}' })).status).toBe(404);
    if (EXTERNAL) expect(await accepts(EXTERNAL, metricsPort)).toBe(false); // 127.0.0.1 only
  });
});

describe('a proxy named in SAMLA_TRUST_PROXY', () => {
  const prefix = uniquePrefix();
  let s: FullSamla;
  beforeAll(async () => {
    s = await startFullSamla({ redisUrl: redisUrl(), prefix, env: { SAMLA_TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await s?.close();
    await deleteUnder(redis, prefix);
  });

  it('makes a client local only when the proxy says the client is this machine', async () => {
    // Host rewritten, no X-Forwarded-For: even over HTTP/1.1, not local.
    expect(await teamsProbe(s.base)).toMatchObject({ status: 403, body: { error: 'anonymous_local_only' } });
    expect((await viaDefaultNginx(s.samla.server.port, 'POST', '/api/messages', '{}')).status).toBe(403);
    // A visitor elsewhere, also one who claims to be 127.0.0.1 (the proxy appends the real address).
    expect((await teamsProbe(s.base, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await teamsProbe(s.base, { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' })).status).toBe(403);
    // The proxy says the client is on this machine.
    expect(await teamsProbe(s.base, { 'x-forwarded-for': '127.0.0.1' })).toMatchObject({ status: 400, body: { error: 'invalid_activity' } });
  });
});

/** The first detail of the INVALID_CONFIG error `f` throws. */
function details(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as { details: string[] }).details[0]!;
  }
  return 'no error';
}

describe('isLocalRequest on a real Express app', () => {
  async function probe(trust: string[] | undefined, headers: Record<string, string>) {
    const app = express();
    app.set('trust proxy', trust ?? false);
    app.get('/', (req, res) => void res.json({ local: isLocalRequest(req), ip: req.ip }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      // node:http, not fetch: fetch never sends a Host header of its own.
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', headers }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString('utf8')));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      return (JSON.parse(body) as { local: boolean }).local;
    } finally {
      server.close();
    }
  }

  it('decides from the socket and the configured proxy, never from the Host header alone', async () => {
    expect(await probe(undefined, { host: 'localhost:3978' })).toBe(true);
    expect(await probe(undefined, { host: 'samla.example.no' })).toBe(false); // DNS rebinding
    expect(await probe(undefined, { host: 'localhost:3978', 'x-forwarded-for': '127.0.0.1' })).toBe(false); // an undeclared proxy
    expect(await probe(['127.0.0.1'], { host: '127.0.0.1:3978' })).toBe(false);
    expect(await probe(['127.0.0.1'], { host: '127.0.0.1:3978', 'x-forwarded-for': '192.0.2.7' })).toBe(false);
    expect(await probe(['127.0.0.1'], { host: 'localhost:3978', 'x-forwarded-for': '::1' })).toBe(true);
    expect(await probe(['127.0.0.1'], { host: 'localhost', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-host': 'evil.example' })).toBe(false);
    // A proxy elsewhere is not this machine, whatever it says.
    expect(await probe(['10.0.0.0/8'], { host: 'localhost:3978', 'x-forwarded-for': '127.0.0.1' })).toBe(false);
  });

  it('reads SAMLA_TRUST_PROXY as addresses or Express names, refusing hop counts and "true"', () => {
    expect(readExposureConfig({ SAMLA_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' })).toEqual({ trustProxy: ['loopback', '10.0.0.0/8', '::1'] });
    for (const bad of ['true', '1', '10.0.0.0/33', 'nginx', '10.0.0.1/8/1']) {
      expect(details(() => readExposureConfig({ SAMLA_TRUST_PROXY: bad })), bad).toMatch(/^SAMLA_TRUST_PROXY=.*list the proxy's addresses/);
    }
    expect(details(() => readExposureConfig({ SAMLA_METRICS_PORT: 'x' }))).toMatch(/^SAMLA_METRICS_PORT="x"/);
  });
});

describe('demo mode', () => {
  it.skipIf(!EXTERNAL)('listens on 127.0.0.1 only, and /metrics answers this machine there', async () => {
    const prefix = uniquePrefix();
    let stdout = '';
    const seen: Record<string, unknown> = {};
    try {
      const code = await main(['start', '--port', '0'], {
        env: { REDIS_URL: redisUrl(), SAMLA_REDIS_PREFIX: prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000' },
        stdout: { write: (t: string) => void (stdout += t) },
        stderr: { write: () => {} },
        now: () => new Date('2027-01-05T10:00:00Z'),
        untilStopped: async () => {
          const port = Number(/running on http:\/\/localhost:(\d+)/.exec(stdout)![1]);
          seen.external = await accepts(EXTERNAL!, port);
          seen.loopback = await accepts('127.0.0.1', port);
          seen.metrics = (await fetch(`http://127.0.0.1:${port}/metrics`)).status;
          seen.nginx = (await viaDefaultNginx(port, 'GET', '/chat')).status;
        },
      });
      expect(code).toBe(0);
      expect(seen).toEqual({ external: false, loopback: true, metrics: 200, nginx: 403 });
    } finally {
      await deleteUnder(redis, prefix);
    }
  });
});
