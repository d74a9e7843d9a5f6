/**
 * One server under test for bench/slackStatus.bench.ts, in a process of its own so it has a CPU
 * to itself: `node --import tsx bench/slackServer.ts <mode> <apiUrl> <redisUrl> <prefix>`.
 * Prints `{"port": n}` once listening and runs until it receives SIGTERM. Modes:
 *   samla  Samla's HTTP server with the Slack plugin (the example network must be imported)
 *   bare   a bare Bolt app on an ExpressReceiver whose /status listener only acknowledges
 *   open   the same bare app, whose listener acknowledges and then calls views.open with a small
 *          modal: the platform call Samla's path makes, without Samla's work
 * With BENCH_PROFILE=<dir>, SIGUSR2 starts V8's CPU profiler (the bench sends it once every
 * server is warmed up) and SIGTERM writes `<dir>/<mode>.cpuprofile` before exiting: a profile
 * of the measured rounds only, without start-up and warm-up (bench/profileSummary.ts reads it).
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { slackPlugin } from '../adapters/slack/app.ts';
import { boltLogger } from '../adapters/slack/logger.ts';
import { readEnv } from '../src/app/env.ts';
import { buildAppDeps } from '../src/app/main.ts';
import { startServer } from '../src/app/server.ts';
import { BENCH_NOW, BENCH_SECRET } from './slackBench.ts';


const [mode, apiUrl, url, prefix] = process.argv.slice(2) as [string, string, string, string];
const logger = pino({ level: 'silent' });

async function samla(): Promise<{ port: number; close: () => Promise<void> }> {
  // Like src/app/redis.ts; BENCH_AUTOPIPELINING=1 shows what ioredis auto-pipelining would change.
  const redis = new Redis(url, { enableAutoPipelining: process.env.BENCH_AUTOPIPELINING === '1' });
  const settings = readEnv({ REDIS_URL: url, SAMLA_REDIS_PREFIX: prefix, SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: apiUrl });
  const deps = buildAppDeps({ settings, redis, logger, now: () => BENCH_NOW });
  const running = await startServer(deps, [slackPlugin(deps)], 0, '127.0.0.1');
  return {
    port: running.port,
    close: async () => {
      await running.close();
      await redis.quit();
    },
  };
}

async function bare(open = false): Promise<{ port: number; close: () => Promise<void> }> {
  const app = express();
  const receiver = new ExpressReceiver({ signingSecret: BENCH_SECRET, app, endpoints: '/slack/events', logger: boltLogger(logger) });
  const bolt = new App({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-bench' }),
    ignoreSelf: false,
    logger: boltLogger(logger),
    clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
  });
  bolt.command('/status', async ({ ack, client, command }) => {
    await ack();
    if (open) {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: { type: 'modal', title: { type: 'plain_text', text: 'Status' }, blocks: [{ type: 'section', text: { type: 'plain_text', text: 'Status' } }] },
      });
    }
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { port: (server.address() as { port: number }).port, close: () => new Promise((r) => server.close(() => r())) };
}

const running = mode === 'samla' ? await samla() : await bare(mode === 'open');
process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const profileDir = process.env.BENCH_PROFILE;
let profiling: Promise<Session> | undefined;
if (profileDir) {
  process.on('SIGUSR2', () => {
    profiling ??= (async () => {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      return session;
    })();
  });
}

async function writeProfile(): Promise<void> {
  if (!profiling || !profileDir) return;
  const session = await profiling;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(path.join(profileDir, `${mode}.cpuprofile`), JSON.stringify(profile));
  session.disconnect();
}

process.on('SIGTERM', () => {
  if (process.env.BENCH_CPU) {
    const cpu = process.cpuUsage(cpuStart);
    process.stderr.write(`${mode} server: ${(((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100).toFixed(0)}% of one core\n`);
  }
  void writeProfile()
    .then(() => running.close())
    .finally(() => process.exit(0));
});
