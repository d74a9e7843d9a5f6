/**
 * The composition root of the running service: configuration, Redis, the store, the Slack and
 * Teams adapters on one HTTP server, and the scheduler with its delivery workers. Everything
 * else receives what it needs from here; nothing else reads the environment.
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { slackPlugin } from '../../adapters/slack/app.ts';
import { slackPlatformFrom } from '../../adapters/slack/platform.ts';
import { teamsPlugin } from '../../adapters/teams/app.ts';
import type { JourneyContext } from '../core/journeys/context.ts';
import type { NetworkDefinition, Platform } from '../core/model.ts';
import { parseNetworkFile } from '../core/networkFile.ts';
import type { ChatPlatform, ImportResult } from '../core/ports.ts';
import { readConfig, type Config } from './config.ts';
import { loadTexts } from './prompts.ts';
import { connectRedis } from './redis.ts';
import { startScheduler, type RunningScheduler } from './scheduler.ts';
import { readSchedulerConfig } from './schedulerConfig.ts';
import { startServer, type AppDeps, type RunningServer } from './server.ts';

/** The network file loaded when Samla holds no network yet. */
export const EMBEDDED_NETWORK = fileURLToPath(new URL('../../examples/network.yaml', import.meta.url));

export interface SamlaOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  host?: string;
  /** A network file to import at start (idempotent). Without it, the embedded one is imported when no network exists. */
  networkFile?: string;
  now?: () => Date;
  logger?: Logger;
}

export interface RunningSamla {
  config: Config;
  deps: AppDeps;
  server: RunningServer;
  scheduler: RunningScheduler;
  platforms: Partial<Record<Platform, ChatPlatform>>;
  /** What was imported at start, if anything. */
  imported?: { def: NetworkDefinition; result: ImportResult };
  url: string;
  /** Stops taking work, lets work in flight finish, closes Redis. Idempotent. */
  close(): Promise<void>;
}

export async function startSamla(opts: SamlaOptions = {}): Promise<RunningSamla> {
  const env = opts.env ?? process.env;
  const config = readConfig(env);
  const schedulerConfig = readSchedulerConfig(env);
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { service: 'samla' } });
  const now = opts.now ?? (() => new Date());
  const redis: Redis = await connectRedis(config.redisUrl);
  const closers: (() => Promise<void>)[] = [async () => void (await redis.quit().catch(() => redis.disconnect()))];
  try {
    const store = new RedisStore(redis, { prefix: config.redisPrefix });
    const identities = new RedisIdentityStore(redis, { prefix: config.redisPrefix });
    const texts = loadTexts();
    const journeys: JourneyContext = { store, texts, now };
    const deps: AppDeps = { config, env, redis, store, identities, journeys, logger };

    const imported = await importAtStart(store, opts.networkFile, now);
    if (imported) logger.info({ network: imported.def.id, version: imported.result.version, changed: imported.result.changed }, 'network loaded');

    const teams = teamsPlugin(deps);
    const server = await startServer(deps, [slackPlugin(deps), teams], opts.port ?? config.port, opts.host);
    closers.unshift(() => server.close());
    const slack = slackPlatformFrom({ env, identities, logger });
    const platforms: Partial<Record<Platform, ChatPlatform>> = { teams: teams.platform, ...(slack ? { slack } : {}) };
    const scheduler = await startScheduler({
      redis,
      store,
      platforms,
      logger: logger.child({ part: 'scheduler' }),
      prefix: config.redisPrefix,
      texts,
      config: schedulerConfig,
      clock: now,
    });
    closers.unshift(() => scheduler.stop());

    let closing: Promise<void> | undefined;
    return {
      config,
      deps,
      server,
      scheduler,
      platforms,
      ...(imported ? { imported } : {}),
      url: `http://localhost:${server.port}`,
      close: () =>
        (closing ??= (async () => {
          for (const close of closers) await close().catch((err) => logger.error({ err }, 'error while shutting down'));
        })()),
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}

/** Imports `file` when given; otherwise the embedded network when Samla holds none yet. */
async function importAtStart(store: RedisStore, file: string | undefined, now: () => Date) {
  if (!file && (await store.listNetworks()).length > 0) return undefined;
  const path = file ?? EMBEDDED_NETWORK;
  const def = parseNetworkFile(await readFile(path, 'utf8'), path);
  const result = await store.importNetwork(def, { actor: 'start', now: now() });
  return { def, result };
}
