/**
 * Dashboard sessions ended by signing out. A session cookie is a signed token (src/web/access.ts)
 * that would otherwise work until it expires; signing out records its id here until then, and
 * every request checks the record. Key: `dashboardRevoked` (./keys.ts), expiring with the
 * session, so nothing needs cleaning up.
 */
import type { RedisClient } from './client.ts';
import type { SessionRevocations } from '../../src/core/ports.ts';
import { createKeys, type Keys } from './keys.ts';

export class RedisSessionRevocations implements SessionRevocations {
  private readonly keys: Keys;

  constructor(
    private readonly redis: RedisClient,
    opts: { prefix?: string } = {},
  ) {
    this.keys = createKeys(opts.prefix);
  }

  async revoke(id: string, expires: Date, now: Date): Promise<void> {
    const ms = expires.getTime() - now.getTime();
    if (ms > 0) await this.redis.set(this.keys.dashboardRevoked(id), '1', 'PX', ms);
  }

  async isRevoked(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.dashboardRevoked(id))) === 1;
  }
}
