/**
 * Opening a Redis connection with settings that fail clearly instead of hanging.
 */
import { Redis } from 'ioredis';
import { SamlaError } from '../core/errors.ts';

export interface RedisOptions {
  /** For one-shot commands (the CLI): give up after a few attempts instead of retrying forever. */
  failFast?: boolean;
}

/** Connects and checks the connection with PING; throws an UNAVAILABLE error that says what to do. */
export async function connectRedis(url: string, opts: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: opts.failFast ? 1 : 20,
    retryStrategy: opts.failFast ? (times) => (times > 2 ? null : 200) : (times) => Math.min(times * 200, 5000),
  });
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
