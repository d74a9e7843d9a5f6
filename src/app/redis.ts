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
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import { SamlaError } from '../core/errors.ts';

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
export const BULLMQ_CONNECTION_OVERRIDES: Partial<IoRedisOptions> = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  commandTimeout: undefined,
};

/** Connects and checks the connection with PING; throws an UNAVAILABLE error that says what to do. */
export async function connectRedis(url: string, opts: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, redisOptions(opts));
  // Without a listener ioredis logs connection errors itself; the callers report them.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    redis.disconnect();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SamlaError(
      'UNAVAILABLE',
      `Cannot reach Redis at ${redactUrl(url)} (${reason}). Start Redis (e.g. "apt-get install redis-server", ` +
        `"brew install redis" or "docker run -p 6379:6379 redis:7") or set REDIS_URL to one that answers.`,
      { cause },
    );
  }
  return redis;
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
