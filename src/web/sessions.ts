/**
 * Dashboard sessions ended by signing out. A session cookie is a signed token (./access.ts) that
 * would otherwise work until it expires; signing out records its id in Redis until then, and
 * every request checks the record. Keys: `<prefix>dashboard:revoked:<session id>`, expiring with
 * the session (nothing to clean up).
 */
import type { Redis } from 'ioredis';

export class RevokedSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}dashboard:revoked:${id}`;
  }

  /** Ends the session `id` for good (until `expires`, when the token would have stopped anyway). */
  async revoke(id: string, expires: Date, now: Date): Promise<void> {
    const ms = expires.getTime() - now.getTime();
    if (ms > 0) await this.redis.set(this.key(id), '1', 'PX', ms);
  }

  async isRevoked(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }
}
