/**
 * Operations on a whole Samla (the composition root, startSamla): liveness and readiness, the
 * Prometheus metrics, JSON logs with a request id, and bodies over the limit refused before
 * anything parses them.
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logging.ts';
import { oslo } from '../helpers/scheduler.ts';
import { redisUrl, snapshot, deleteUnder, connectTestRedis } from '../helpers/redis.ts';
import { USERS, post, slash, spoken } from '../slack/harness.ts';
import { freePort, startFullSamla, uniquePrefix, until, type FullSamla } from './helpers.ts';
import type { Redis } from 'ioredis';

const prefix = uniquePrefix();
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
let s: FullSamla;
let redis: Redis;
let metricsPort: number;
/** SAMLA_METRICS_PORT: /metrics without a token, on 127.0.0.1. */
let metricsUrl: string;
const clock = { now: oslo('2027-01-20T09:00') };

beforeAll(async () => {
  redis = await connectTestRedis();
  metricsPort = await freePort();
  s = await startFullSamla({ redisUrl: redisUrl(), prefix, now: () => clock.now, logger: createLogger('info', sink), env: { SAMLA_METRICS_PORT: String(metricsPort) } });
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
});
afterAll(async () => {
  await s?.close();
  await deleteUnder(redis, prefix);
  await redis.quit();
});

/**
 * POSTs a large body and returns the status. With a Content-Length, only the headers are sent:
 * the answer must come before any of the body (the server never reads it). Chunked (no length),
 * the body streams until the server answers.
 */
function sendLarge(url: string, size: number, chunked: boolean, contentType: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, ...(chunked ? {} : { 'content-length': String(size) }) } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    if (!chunked) return void req.flushHeaders();
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < size && !req.destroyed) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('health', () => {
  it('is alive at /healthz and ready at /readyz when Redis answers and the delivery workers run', async () => {
    expect(await (await fetch(`${s.base}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${s.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: 'ok', deliveries: 'ok' } });
  });
});

describe('request ids and JSON logs', () => {
  it('honours a sane X-Request-Id, makes one otherwise, and puts it on every log line of the request', async () => {
    const given = await fetch(`${s.base}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.42' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42');
    const made = await fetch(`${s.base}/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${s.base}/healthz`, { headers: { 'x-request-id': 'a b c' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // A Slack payload Samla cannot use: the adapter's warning carries the request's id.
    const res = await post(s.slack, new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: {}, actions: [], trigger_id: 'T1.2.3' }) }).toString(), 'application/x-www-form-urlencoded', {
      headers: { 'x-request-id': 'req-slack-1' },
    });
    expect(res.status).toBe(200);
    const mine = await until(() => {
      const found = lines.filter((l) => l.reqId === 'req-slack-1');
      return found.length >= 2 && found;
    });
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['Slack: a request with an unexpected shape', 'request']));
    expect(mine.find((l) => l.msg === 'request')).toMatchObject({ service: 'samla', method: 'POST', path: '/slack/events', status: 200, level: 30 });
    expect(typeof mine[0]!.time).toBe('number');
  });
});

describe('metrics', () => {
  it('exposes handler latency per route, deliveries by outcome, queue depth and lagging signals', async () => {
    const ola = await slash(s.slack, USERS.ola, '/status', 'Alt i rute');
    expect(ola.status).toBe(200);
    expect(spoken(await s.fake.waitFor('response_url', (c) => c.args.url === new URL(ola.responseUrl).pathname))).toContain('Alt i rute');
    // The task of 2027-01-20 09:00 goes to Ola and Per in Slack (Siri and Lars are not in this
    // workspace: permanent failures), and to people in Teams, whom Samla cannot reach yet.
    await s.samla.scheduler.tick(clock.now);
    await until(async () => (await s.samla.scheduler.runtime.queues.pending()) === 0, 15_000, 'the deliveries');
    let last = '';
    const text = await until(async () => {
      const t = (last = await (await fetch(metricsUrl)).text());
      return /samla_deliveries_total\{platform="slack",outcome="sent"\} 2/.test(t) && t;
    }).catch((e) => {
      console.log(last.split('\n').filter((l) => l.startsWith('samla_deliv') || l.startsWith('samla_lag')).join('\n'));
      throw e;
    });
    expect(text).toMatch(/samla_http_request_duration_seconds_bucket\{le="0\.1",route="\/slack\/events",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/samla_deliveries_total\{platform="slack",outcome="failed"\} 2/);
    expect(text).toMatch(/samla_deliveries_total\{platform="teams",outcome="failed"\} \d+/);
    expect(text).toMatch(/samla_delivery_queue_jobs\{platform="slack",state="failed"\} 2/);
    expect(text).toMatch(/samla_delivery_queue_jobs\{platform="slack",state="wait"\} 0/);
    expect(text).toMatch(/samla_lagging_signals\{network="agder-helse-2027",kind="[a-z_]+"\} [1-9]/);
    expect(text).toMatch(/samla_redis_up 1/);
    expect(text).toMatch(/samla_process_cpu_user_seconds_total/);
    expect(text).toMatch(/samla_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]/);
  });
});

describe('who may read the metrics', () => {
  it('answers on the 127.0.0.1 metrics port, and on PORT refuses everyone without the token, this machine too', async () => {
    expect((await fetch(metricsUrl)).status).toBe(200);
    expect((await fetch(`${s.base}/metrics`)).status).toBe(403);
    const proxied = await fetch(`${s.base}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.2' } });
    expect(proxied.status).toBe(403);
    expect(await proxied.text()).toContain('SAMLA_METRICS_TOKEN');
  });
});

describe('bodies over the limit', () => {
  it('are refused with 413 before anything reads them, on /slack/events and /api/messages, with or without a length', async () => {
    const network = (await snapshot(redis, prefix)) as Record<string, unknown>;
    const onlyNetwork = (snap: Record<string, unknown>) => Object.fromEntries(Object.entries(snap).filter(([k]) => k.includes('{agder')));
    const results = {
      slackLength: await sendLarge(`${s.base}/slack/events`, 8 * 1024 * 1024, false, 'application/x-www-form-urlencoded'),
      slackChunked: await sendLarge(`${s.base}/slack/events`, 3 * 1024 * 1024, true, 'application/x-www-form-urlencoded'),
      teamsLength: await sendLarge(`${s.base}/api/messages`, 8 * 1024 * 1024, false, 'application/json'),
      teamsChunked: await sendLarge(`${s.base}/api/messages`, 1024 * 1024, true, 'application/json'),
    };
    expect(Object.values(results).map((r) => r.status)).toEqual([413, 413, 413, 413]);
    for (const r of Object.values(results)) expect(r.ms).toBeLessThan(2000);
    expect(onlyNetwork(await snapshot(redis, prefix))).toEqual(onlyNetwork(network));
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
  });
});
