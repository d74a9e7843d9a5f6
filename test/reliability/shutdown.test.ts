/**
 * Graceful shutdown of the real thing: `node bin/samla.js start` in a child process (its own
 * prefix and port) gets SIGTERM while a Teams request is in flight (the Bot Connector answers the
 * reply slowly). The request still finishes with 200, a new request is turned away, readiness is
 * 503 while draining, and the process exits 0 after closing Redis.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { readEnv } from '../../src/app/env.ts';
import { startServer, type ServerDeps } from '../../src/app/server.ts';
import { deleteUnder, connectTestRedis, redisUrl } from '../helpers/redis.ts';
import { EXAMPLE, sleep, spawnSamla, uniquePrefix, type SamlaChild } from './helpers.ts';

const prefix = uniquePrefix();
let connector: Server | undefined;
let child: SamlaChild | undefined;

afterAll(async () => {
  await child?.stop(2000);
  connector?.closeAllConnections();
  await new Promise((r) => connector?.close(r));
  const redis = await connectTestRedis();
  await deleteUnder(redis, prefix);
  await redis.quit();
});

/** A Bot Connector that knows Kjetil and answers replies after `delayMs`. */
async function slowConnector(delayMs: number): Promise<{ url: string; replies: string[] }> {
  const replies: string[] = [];
  connector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && /\/members\//.test(url)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '29:kjetil', name: 'Kjetil Dahl', aadObjectId: 'aad-kjetil', email: 'kjetil.dahl@arendal.example.no' }));
        return;
      }
      setTimeout(() => {
        replies.push(body);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `act-${replies.length}` }));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => connector!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`, replies };
}

describe('SIGTERM', () => {
  it('finishes the request in flight, refuses new ones, and exits 0', async () => {
    const fake = await slowConnector(1500);
    // Slack configured (at a closed local port: nothing leaves this machine), so this is the service, not the demo.
    child = await spawnSamla(
      { REDIS_URL: redisUrl(), SAMLA_REDIS_PREFIX: prefix, LOG_LEVEL: 'info', NODE_ENV: 'development', SLACK_SIGNING_SECRET: 'shutdown-test-secret', SLACK_BOT_TOKEN: 'xoxb-shutdown', SLACK_API_URL: 'http://127.0.0.1:9/api/' },
      ['--file', EXAMPLE],
    );
    const activity = {
      type: 'message',
      id: 'm-1',
      timestamp: new Date().toISOString(),
      serviceUrl: fake.url,
      channelId: 'msteams',
      from: { id: '29:kjetil', name: 'Kjetil Dahl', aadObjectId: 'aad-kjetil' },
      recipient: { id: '28:samla-bot', name: 'Samla' },
      conversation: { id: 'a:personal-kjetil', conversationType: 'personal', tenantId: 't1' },
      text: 'hjelp',
      locale: 'nb-NO',
    };
    const started = Date.now();
    const inFlight = fetch(`${child.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await sleep(400); // the turn is waiting for the slow reply
    child.child.kill('SIGTERM');
    await sleep(150);
    const during = await fetch(`${child.base}/readyz`).then((r) => r.status, (e: Error) => e.message);
    const answered = await inFlight;
    const inFlightMs = Date.now() - started;
    expect(answered.status).toBe(200);
    expect(fake.replies).toHaveLength(1);
    expect(fake.replies[0]).toContain('Samla'); // the help card was sent before the process went
    const code = await child.exited;
    const exitMs = Date.now() - started;
    expect(code).toBe(0);
    // A new connection after the listener closed is refused; on a kept-alive one it gets 503.
    expect([503, 'fetch failed']).toContain(during);
    const logs = child.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: finishing the work in flight', 'shut down']));
    expect(child.stderr()).toContain('Samla stopped.');
    console.log(`[shutdown] SIGTERM at 400 ms; in-flight request answered 200 after ${inFlightMs} ms; readiness during drain: ${during}; exit code ${code} after ${exitMs} ms`);
  }, 40_000);
});

describe('draining', () => {
  it('refuses new connections at once, lets the request in flight finish, and only then resolves close()', async () => {
    const redis = await connectTestRedis();
    const deps = { config: readEnv({}).config, redisPing: () => redis.ping(), logger: pino({ level: 'silent' }) } satisfies ServerDeps;
    const slow = { name: 'slow', mount: (app: import('express').Express) => void app.get('/slow', (_req, res) => void setTimeout(() => res.json({ done: true }), 600)) };
    const server = await startServer(deps, [slow], 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        request(`http://127.0.0.1:${server.port}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        }).on('error', reject).end();
      });
    expect((await get('/healthz')).status).toBe(200); // opens the kept-alive socket
    const inFlight = get('/slow');
    await sleep(100);
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    expect(await fetch(`http://127.0.0.1:${server.port}/readyz`).then((r) => r.status, () => 'refused')).toBe('refused');
    expect(closed).toBe(false);
    expect((await inFlight).status).toBe(200);
    await closing;
    agent.destroy();
    await redis.quit();
  });

  it('turns a request away with 503 while draining, and /readyz says so', async () => {
    const redis = await connectTestRedis();
    const deps = { config: readEnv({}).config, redisPing: () => redis.ping(), logger: pino({ level: 'silent' }) } satisfies ServerDeps;
    const server = await startServer(deps, [], 0, '127.0.0.1');
    server.health.draining = true; // the state close() sets first
    const res = await fetch(`http://127.0.0.1:${server.port}/api/messages`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toMatchObject({ error: 'shutting_down' });
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200); // still alive
    await server.close();
    await redis.quit();
  });
});
