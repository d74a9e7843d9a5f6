/**
 * Opening a Redis connection with settings that fail clearly instead of hanging.
 *
 * Two profiles:
 *
 * - **service** (the default; `samla start`): the connection lives for months and must never make
 *   a person wait on a Redis that is gone. While it is disconnected, commands fail at once
 *   (`enableOfflineQueue: false`) instead of queueing; commands in flight when the connection
 *   drops fail at once too (`maxRetriesPerRequest: 0`, no silent resend after a reconnect); and a
 *   command that gets no answer (a Redis that hangs, a network that drops packets) fails after
 *   `commandTimeoutMs` (1 s). Meanwhile ioredis keeps reconnecting in the background (every
 *   0.2 s, backing off to 2 s), so Samla recovers by itself when Redis is back: no restart
 *   needed. A failed command is reported to the person as "nothing was saved, try again in a
 *   minute", which is true: a write that failed was not acknowledged.
 *   BullMQ gets its own duplicate with the settings it needs (offline queue on, no command
 *   timeout, retries forever: see ./deliveryRuntime.ts), so the delivery queue waits out an
 *   outage instead of failing jobs.
 * - **failFast** (one-shot CLI commands): no command timeout (an import may run a big
 *   transaction), but give up connecting after a few attempts.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import type { DuplicateOverrides, RedisClient } from '../../adapters/redis/client.ts';
import { SamlaError } from '../core/errors.ts';

export type { RedisClient } from '../../adapters/redis/client.ts';

/** A host and port (a Cluster seed or a Sentinel). */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Where Redis is (src/app/env.ts): a URL; with `sentinels`, the master `sentinelName` found
 * through them (the URL then gives only the password and database); with `clusterNodes`, a
 * Redis Cluster from those seeds. A plain URL naming a node of a cluster is detected
 * (`INFO cluster` says `cluster_enabled:1`) and opened as a Cluster too.
 */
export interface RedisTarget {
  url: string;
  clusterNodes?: HostPort[] | undefined;
  sentinels?: HostPort[] | undefined;
  sentinelName?: string | undefined;
}

export interface RedisOptions {
  /** For one-shot commands (the CLI): give up after a few attempts instead of retrying forever. */
  failFast?: boolean;
  /** Service profile only: how long one command may take before it fails (default 1000 ms). */
  commandTimeoutMs?: number;
}

/** How long one command may take on the service connection before it fails. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** The ioredis options of a profile (see the module comment). */
export function redisOptions(opts: RedisOptions = {}): IoRedisOptions {
  if (opts.failFast) {
    return {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => (times > 2 ? null : 200),
    };
  }
  return {
    lazyConnect: true,
    connectTimeout: 3000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    // Detect a dead peer on an idle connection (no FIN, e.g. a crashed host).
    keepAlive: 10_000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

/** The settings BullMQ needs on its own connection, overriding the service profile's. */
export const BULLMQ_CONNECTION_OVERRIDES: DuplicateOverrides = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  commandTimeout: undefined,
};

/**
 * The ioredis Cluster options of a profile: each node's connection gets the profile's options;
 * the Cluster itself keeps the profile's offline queue and retries (a restarted or failed-over
 * master is found again by refreshing the slots, every 0.2 s up to 2 s apart).
 */
export function clusterOptions(opts: RedisOptions = {}, url?: string): ClusterOptions {
  const perNode = { ...redisOptions(opts) };
  const enableOfflineQueue = perNode.enableOfflineQueue;
  delete perNode.retryStrategy;
  delete perNode.enableOfflineQueue;
  delete perNode.lazyConnect;
  const auth = url ? urlAuth(url) : {};
  return {
    lazyConnect: true,
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: (times) => (opts.failFast ? (times > 2 ? null : 200) : Math.min(times * 200, 2000)),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2000,
    redisOptions: { ...perNode, ...auth },
  };
}

function urlAuth(url: string): Partial<IoRedisOptions> {
  try {
    const u = new URL(url);
    const out: Partial<IoRedisOptions> = {};
    if (u.username) out.username = decodeURIComponent(u.username);
    if (u.password) out.password = decodeURIComponent(u.password);
    if (u.protocol === 'rediss:') out.tls = {};
    const db = Number(u.pathname.slice(1));
    if (Number.isInteger(db) && db > 0) out.db = db;
    return out;
  } catch {
    return {};
  }
}

function hostPort(url: string): HostPort {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}

/** True when the Redis answers `INFO cluster` with `cluster_enabled:1`. */
async function clusterEnabled(redis: Redis): Promise<boolean> {
  const info = await redis.info('cluster').catch(() => '');
  return /^cluster_enabled:1\s*$/m.test(info);
}

/**
 * Connects and checks the connection with PING; throws an UNAVAILABLE error that says what to
 * do. A Redis Cluster (given by `clusterNodes`, or detected behind a plain URL) comes back as
 * an ioredis Cluster; Sentinel as a Redis that follows the master.
 */
export async function connectRedis(target: string | RedisTarget, opts: RedisOptions = {}): Promise<RedisClient> {
  const t: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const where = t.sentinels?.length
    ? `Sentinel ${t.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} (master "${t.sentinelName ?? 'mymaster'}")`
    : t.clusterNodes?.length
      ? `Cluster ${t.clusterNodes.map((s) => `${s.host}:${s.port}`).join(',')}`
      : redactUrl(t.url);
  let redis: RedisClient | undefined;
  try {
    if (t.clusterNodes?.length) {
      redis = await openCluster(t.clusterNodes, opts, t.url);
    } else if (t.sentinels?.length) {
      const { db, username, password, tls } = urlAuth(t.url);
      const single = new Redis({ ...redisOptions(opts), sentinels: t.sentinels, name: t.sentinelName ?? 'mymaster', ...(db ? { db } : {}), ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { tls } : {}) });
      redis = single;
      single.on('error', () => {});
      await single.connect();
      await single.ping();
    } else {
      const single = new Redis(t.url, redisOptions(opts));
      redis = single;
      // Without a listener ioredis logs connection errors itself; the callers report them.
      single.on('error', () => {});
      await single.connect();
      await single.ping();
      if (await clusterEnabled(single)) {
        single.disconnect();
        redis = undefined;
        redis = await openCluster([hostPort(t.url)], opts, t.url);
      }
    }
  } catch (cause) {
    redis?.disconnect();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SamlaError(
      'UNAVAILABLE',
      `Cannot reach Redis at ${where} (${reason}). Start Redis (e.g. "apt-get install redis-server", ` +
        `"brew install redis" or "docker run -p 6379:6379 redis:7") or set REDIS_URL to one that answers.`,
      { cause },
    );
  }
  return redis;
}

async function openCluster(seeds: HostPort[], opts: RedisOptions, url: string): Promise<Cluster> {
  const cluster = new Cluster(seeds, clusterOptions(opts, url));
  cluster.on('error', () => {});
  try {
    await cluster.connect();
    await cluster.ping();
    return cluster;
  } catch (err) {
    cluster.disconnect();
    throw err;
  }
}

/** Hides a password in a Redis URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Readiness of a connection (GET /readyz): every node answers PING; a Cluster reports
 * `cluster_state:ok` (not down, every slot served); and a single-node client is not talking to
 * a node of a cluster (it would get MOVED for most keys). Throws with the reason.
 */
export async function checkRedisReady(redis: RedisClient): Promise<void> {
  if (redis instanceof Cluster) {
    const masters = redis.nodes('master');
    if (masters.length === 0) throw new Error('no Redis Cluster master is connected');
    await Promise.all(masters.map((n) => n.ping()));
    const info = String(await masters[0]!.call('CLUSTER', 'INFO'));
    if (!/^cluster_state:ok\s*$/m.test(info)) throw new Error(`the Redis Cluster is not ok (${/^cluster_state:(\S+)/m.exec(info)?.[1] ?? 'unknown'})`);
    return;
  }
  await redis.ping();
  if (await clusterEnabled(redis)) throw new Error('REDIS_URL names a Redis Cluster node, but this connection is not a Cluster client (restart Samla to detect the cluster)');
}

/** True for an ioredis connection (one Redis or a Cluster), as opposed to a test's stand-in. */
export function isRedisClient(x: unknown): x is RedisClient {
  return x instanceof Redis || x instanceof Cluster;
}
