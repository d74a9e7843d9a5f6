/**
 * The composition root of the running service: configuration, Redis, the store, the Slack and
 * Teams adapters on one HTTP server, and the scheduler with its delivery workers. Everything
 * else receives what it needs from here: settings (read once, by ./env.ts), repositories and the
 * dispatcher. This is the only place the service's Redis connection is opened.
 */
import { Dispatcher } from '../core/dispatch/dispatcher.ts';
import { RedisDemoData } from '../../adapters/redis/demoData.ts';
import { RedisInboundLog } from '../../adapters/redis/inbound.ts';
import { readFile } from 'node:fs/promises';
import { type RedisClient, duplicateClient } from '../../adapters/redis/client.ts';
import type { Logger } from 'pino';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { slackPlugin } from '../../adapters/slack/app.ts';
import { slackPlatformFrom } from '../../adapters/slack/platform.ts';
import { teamsPlugin } from '../../adapters/teams/app.ts';
import { RedisSessionRevocations } from '../../adapters/redis/dashboardSessions.ts';
import { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import type { SlackSettings } from '../../adapters/slack/config.ts';
import { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import type { JourneyContext } from '../core/journeys/context.ts';
import { PLATFORMS, type NetworkDefinition, type Platform } from '../core/model.ts';
import { parseNetworkFile } from '../core/networkFile.ts';
import { EMBEDDED_NETWORK } from './demoNetwork.ts';
import type { ChatPlatform, ImportResult } from '../core/ports.ts';
import { type Config, redisTarget } from './config.ts';
import { queueName } from './deliveryQueue.ts';
import type { AppDeps } from './deps.ts';
import type { Env } from './env.ts';
import { createLogger } from './logging.ts';
import { Metrics } from './metrics.ts';
import { loadTexts } from './prompts.ts';
import { checkRedisReady, connectRedis } from './redis.ts';
import { runRetention, type RetentionReport } from './retention.ts';
import { startScheduler, type RunningScheduler } from './scheduler.ts';
import { startServer, type HttpPlugin, type RunningServer } from './server.ts';

/** How often a running Samla deletes reflection notes past their retention. */
export const RETENTION_EVERY_MS = 6 * 3600_000;

export { EMBEDDED_NETWORK };

export interface SamlaOptions {
  /** The environment's settings (./env.ts); every section is checked before anything starts. */
  settings: Env;
  /** Overrides REDIS_URL (`samla start` with its private redis-server). */
  redisUrl?: string;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** The address to listen on, default every interface (demo mode: 127.0.0.1). */
  host?: string;
  /** Demo mode: /metrics answers this machine without a token. */
  demo?: boolean;
  /** A network file to import at start (idempotent). Without it, the embedded one is imported when no network exists. */
  networkFile?: string;
  now?: () => Date;
  logger?: Logger;
  /** Runs once Redis is connected, before the network import and the scheduler's first pass (the demo loads here). */
  prepare?: (deps: AppDeps) => Promise<void>;
  /** More HTTP plugins on the same server (the web pages); `samla` gives what exists only once Samla runs. */
  plugins?: (deps: AppDeps, samla: { url(): string; scheduler(): RunningScheduler | undefined }) => HttpPlugin[];
  /** Runs once the server listens, before the scheduler's first pass; Teams work it starts (a roster sync) is awaited. */
  listening?: () => Promise<void>;
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

export async function startSamla(opts: SamlaOptions): Promise<RunningSamla> {
  const { settings } = opts;
  settings.checkAll();
  const config: Config = { ...settings.config, ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}) };
  const schedulerConfig = settings.scheduler;
  const retention = settings.retention;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? (() => new Date());
  const redis: RedisClient = await connectRedis(opts.redisUrl ? config.redisUrl : redisTarget(config));
  // Shutdown order: stop taking requests and finish those in flight, stop the retention timer,
  // let the delivery workers finish their jobs, then close Redis.
  const stops: { server?: () => Promise<void>; retention?: () => Promise<void>; scheduler?: () => Promise<void> } = {};
  const shutdown = async (onError: (err: unknown) => void) => {
    for (const stop of [stops.server, stops.retention, stops.scheduler]) if (stop) await stop().catch(onError);
    await redis.quit().catch(() => redis.disconnect());
  };
  try {
    const metrics = new Metrics();
    const deps = buildAppDeps({ settings, config, redis, logger, now, metrics });
    const { store, identities, journeys } = deps;
    const texts = journeys.texts;
    metrics.watchRedis(redis);
    metrics.watchSignals(store, now);

    if (opts.prepare) await opts.prepare(deps);
    // The import runs on a connection without the service's command timeout: one big transaction.
    const importRedis = duplicateClient(redis, { commandTimeout: undefined, enableOfflineQueue: true });
    importRedis.on('error', () => {});
    const imported = await importAtStart(new RedisStore(importRedis, { prefix: config.redisPrefix }), opts.networkFile, now).finally(() => importRedis.disconnect());
    if (imported) logger.info({ network: imported.def.id, version: imported.result.version, changed: imported.result.changed }, 'network loaded');

    const teams = teamsPlugin(deps);
    const late: { port?: number; scheduler?: RunningScheduler } = {};
    const extra = opts.plugins?.(deps, { url: () => `http://localhost:${late.port ?? config.port}`, scheduler: () => late.scheduler }) ?? [];
    const server = await startServer(deps, [slackPlugin(deps), teams, ...extra], opts.port ?? config.port, opts.host, { localMetrics: !!opts.demo });
    late.port = server.port;
    stops.server = () => server.close();
    if (opts.listening) {
      await opts.listening();
      await teams.idle();
    }
    server.health.addCheck('deliveries', () => {
      throw new Error('the scheduler has not started yet');
    });
    const slack = slackPlatformFrom({ slack: settings.slack, identities, logger, store, installations: deps.slackInstallations });
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
    stops.scheduler = () => scheduler.stop();
    late.scheduler = scheduler;
    metrics.watchQueues(scheduler.runtime.queues);
    for (const { platform, worker } of scheduler.runtime.runningWorkers) metrics.watchWorker(platform, worker);
    server.health.addCheck('deliveries', () => {
      const workers = scheduler.runtime.runningWorkers;
      if (workers.length === 0) throw new Error('no delivery worker runs');
      const stopped = workers.filter((w) => !w.worker.isRunning()).map((w) => w.platform);
      if (stopped.length) throw new Error(`the ${stopped.join(' and ')} delivery worker is not running`);
    });

    // Reflection notes past their retention: at start and every 6 hours (any process may run it).
    const retain = async (): Promise<RetentionReport | undefined> => {
      try {
        const report = await runRetention(redis, store, { prefix: config.redisPrefix, months: retention.months, now: now() });
        if (report.deleted > 0) logger.info({ deleted: report.deleted, networks: report.networks.map((n) => n.network) }, 'retention: deleted expired reflection notes');
        return report;
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention pass failed; the next one catches up');
        return undefined;
      }
    };
    const retentionRun = retain();
    const retentionTimer = setInterval(() => void retain(), RETENTION_EVERY_MS);
    retentionTimer.unref();
    stops.retention = async () => {
      clearInterval(retentionTimer);
      await retentionRun;
    };

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
          logger.info('shutting down: finishing the work in flight');
          await shutdown((err) => logger.error({ err }, 'error while shutting down'));
          logger.info('shut down');
        })()),
    };
  } catch (err) {
    await shutdown(() => {});
    throw err;
  }
}

/**
 * The services on one Redis connection, as the service wires them: the store, the identity and
 * Teams-reference repositories, the journeys' context and the dispatcher (the one path from Slack
 * and Teams into the core: redeliveries, identity, journeys). Tests wire their apps with it too.
 */
export function buildAppDeps(o: { settings: Env; config?: Config; redis: RedisClient; logger: Logger; now: () => Date; metrics?: Metrics }): AppDeps & { store: RedisStore; identities: RedisIdentityStore } {
  const config = o.config ?? o.settings.config;
  const prefix = config.redisPrefix;
  const store = new RedisStore(o.redis, { prefix });
  const identities = new RedisIdentityStore(o.redis, { prefix });
  const journeys: JourneyContext = { store, texts: loadTexts(), now: o.now };
  const dispatcher = new Dispatcher({ journeys, identities, inbound: new RedisInboundLog(o.redis, { prefix }), logger: o.logger });
  return {
    config,
    slack: o.settings.slack,
    teams: o.settings.teams,
    web: o.settings.web,
    // A Cluster that is down, or a single-node client talking to a Cluster node, is not ready (./redis.ts).
    redisPing: () => checkRedisReady(o.redis),
    store,
    identities,
    teamsReferences: new TeamsReferenceStore(o.redis, { prefix }),
    revokedSessions: new RedisSessionRevocations(o.redis, { prefix }),
    ...slackInstallationsFor(o.settings.slack, o.redis, prefix),
    demo: new RedisDemoData(o.redis, { prefix, deliveryQueues: PLATFORMS.map(queueName) }),
    journeys,
    logger: o.logger,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    dispatcher,
  };
}

/** Serving several Slack workspaces: their installations, encrypted with SAMLA_SECRET_KEY. */
export function slackInstallationsFor(slack: SlackSettings, redis: RedisClient, prefix: string): { slackInstallations?: RedisSlackInstallationStore } {
  const oauth = slack.enabled ? slack.config.oauth : undefined;
  return oauth ? { slackInstallations: new RedisSlackInstallationStore(redis, { secretKey: oauth.secretKey, prefix }) } : {};
}

/** Imports `file` when given; otherwise the embedded network when Samla holds none yet. */
async function importAtStart(store: RedisStore, file: string | undefined, now: () => Date) {
  if (!file && (await store.listNetworks()).length > 0) return undefined;
  const path = file ?? EMBEDDED_NETWORK;
  const def = parseNetworkFile(await readFile(path, 'utf8'), path);
  const result = await store.importNetwork(def, { actor: 'start', now: now() });
  return { def, result };
}
