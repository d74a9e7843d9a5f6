/**
 * Redis unreachable: a person in Slack hears, within Slack's 3 seconds and in their language,
 * "Samla is unavailable right now, nothing was saved, try again in a minute"; the process stays
 * up (alive, not ready) and recovers by itself when Redis is back. Runs against a redis-server of
 * its own (the shared one is never stopped).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTexts } from '../../src/app/prompts.ts';
import { DurableRedis } from '../helpers/redisServer.ts';
import { USERS, openedView, slash, spoken, submit } from '../slack/harness.ts';
import { startFullSamla, uniquePrefix, until, type FullSamla } from './helpers.ts';

const texts = loadTexts();
let redis: DurableRedis;
let s: FullSamla;
const prefix = uniquePrefix();

beforeAll(async () => {
  redis = await DurableRedis.create();
  s = await startFullSamla({ redisUrl: redis.url, prefix, now: () => new Date('2027-01-25T10:00:00Z') });
  s.fake.users.set(USERS.per.id, { ...USERS.per, locale: 'nn-NO' });
}, 30_000);
afterAll(async () => {
  await s?.close();
  await redis?.destroy();
});

const answerTo = (res: { responseUrl: string }) => s.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname, { timeoutMs: 5000 });

describe('while Redis is down', () => {
  it('answers in the person’s language within 3 s, stays up, and recovers by itself when Redis is back', async () => {
    const from = s.fake.mark();
    await slash(s.slack, USERS.ola, '/status'); // the modal opens while Redis is up
    const view = await openedView(s.slack, from);
    const before = (await s.samla.deps.store.listStatus('agder-helse-2027', '4204')).length;

    await redis.crash();
    const downAt = Date.now();

    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    const readyStarted = performance.now();
    const ready = await fetch(`${s.base}/readyz`);
    const readyMs = performance.now() - readyStarted;
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.redis).not.toBe('ok');

    // A modal submission: the answer is the acknowledgement itself.
    const submitted = await submit(s.slack, USERS.ola, view, { overall: 'on_track', done: 'Mandat vedtatt', next: 'Møte', steering_met: 'yes' });
    expect(submitted.status).toBe(200);
    expect(submitted.ms).toBeLessThan(3000);
    expect(JSON.stringify(submitted.json)).toContain(texts.t('nb', 'errors.unavailable'));

    // Slash commands: acknowledged at once, the answer follows through the response_url.
    const t0 = Date.now();
    const ingrid = await slash(s.slack, USERS.ingrid, '/samla', 'neste'); // Slack says en-GB
    const ingridAnswer = await answerTo(ingrid);
    const ingridMs = ingridAnswer.at - t0;
    expect(spoken(ingridAnswer)).toContain('Samla is unavailable right now, nothing was saved, try again in a minute.');
    const t1 = Date.now();
    const per = await slash(s.slack, USERS.per, '/status', 'Dette lagres ikke'); // Slack says nn-NO
    const perAnswer = await answerTo(per);
    const perMs = perAnswer.at - t1;
    expect(spoken(perAnswer)).toContain(texts.t('nn', 'errors.unavailable'));
    const t2 = Date.now();
    const ola = await slash(s.slack, USERS.ola, '/status', 'Heller ikke dette'); // seen before: bokmål from the network file
    const olaAnswer = await answerTo(ola);
    const olaMs = olaAnswer.at - t2;
    expect(spoken(olaAnswer)).toContain(texts.t('nb', 'errors.unavailable'));
    for (const ms of [ingridMs, perMs, olaMs]) expect(ms).toBeLessThan(3000);
    // A few seconds down: the delivery workers and the reconnecting connection must not crash anything.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);

    await redis.start();
    const upAt = Date.now();
    await until(async () => (await fetch(`${s.base}/readyz`)).status === 200, 15_000, 'readiness after Redis is back');
    const recoveredMs = Date.now() - upAt;
    const back = await slash(s.slack, USERS.ola, '/status', 'Tilbake i drift');
    expect(spoken(await answerTo(back))).toContain('Tilbake i drift');
    const after = await s.samla.deps.store.listStatus('agder-helse-2027', '4204');
    expect(after.filter((r) => r.text === 'Tilbake i drift')).toHaveLength(1);
    expect(after.filter((r) => r.text === 'Heller ikke dette' || r.done === 'Mandat vedtatt')).toHaveLength(0);
    expect(after).toHaveLength(before + 1);
    console.log(
      `[unavailable] Redis down ${upAt - downAt} ms: /readyz 503 in ${readyMs.toFixed(0)} ms; modal ack ${submitted.ms.toFixed(0)} ms; ` +
        `unavailable answers en ${ingridMs} ms, nn ${perMs} ms, nb ${olaMs} ms; ready again ${recoveredMs} ms after Redis restarted`,
    );
  }, 40_000);
});

describe('while Redis hangs (no answers, connection open)', () => {
  it('gives up on each command after 1 s, so the person still hears within 3 s, and carries on when Redis answers again', async () => {
    const from = s.fake.mark();
    await slash(s.slack, USERS.ola, '/status');
    const view = await openedView(s.slack, from);
    const probe = new Redis(redis.url);
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))![1]);
    await probe.quit();
    process.kill(pid, 'SIGSTOP'); // our own redis-server: it keeps its sockets but answers nothing
    try {
      const readyStarted = performance.now();
      expect((await fetch(`${s.base}/readyz`)).status).toBe(503);
      const readyMs = performance.now() - readyStarted;
      const submitted = await submit(s.slack, USERS.ola, view, { overall: 'on_track', done: 'Henger', next: 'Møte', steering_met: 'yes' });
      expect(submitted.status).toBe(200);
      expect(submitted.ms).toBeLessThan(3000);
      expect(JSON.stringify(submitted.json)).toContain(texts.t('nb', 'errors.unavailable'));
      console.log(`[unavailable] Redis hanging: /readyz 503 after ${readyMs.toFixed(0)} ms; modal acknowledged with "unavailable" after ${submitted.ms.toFixed(0)} ms`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until(async () => (await fetch(`${s.base}/readyz`)).status === 200, 10_000, 'readiness after Redis answers again');
    expect((await s.samla.deps.store.listStatus('agder-helse-2027', '4204')).some((r) => r.done === 'Henger')).toBe(false);
  }, 30_000);
});
