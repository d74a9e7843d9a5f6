/**
 * Inbound deliveries already handled, so a platform's redelivery of the same request (Slack's
 * `X-Slack-Retry-Num`, a double click that reuses a trigger) never records anything twice.
 * One `SET NX EX` per delivery id; the mark expires after `ttlSeconds`.
 */
import type { RedisClient } from './client.ts';
import type { Platform } from '../../src/core/model.ts';
import { createKeys, type Keys } from './keys.ts';

/** Slack redelivers within minutes (at once, after 1 min, after 5 min); an hour is plenty. */
export const INBOUND_TTL_SECONDS = 3600;

export class RedisInboundLog {
  private readonly keys: Keys;
  private readonly ttl: number;

  constructor(
    private readonly redis: RedisClient,
    opts: { prefix?: string; ttlSeconds?: number } = {},
  ) {
    this.keys = createKeys(opts.prefix);
    this.ttl = opts.ttlSeconds ?? INBOUND_TTL_SECONDS;
  }

  /** True the first time this delivery id is seen, false for every redelivery within the TTL. */
  async first(platform: Platform, deliveryId: string): Promise<boolean> {
    return (await this.redis.set(this.keys.inbound(platform, deliveryId), '1', 'EX', this.ttl, 'NX')) === 'OK';
  }

  /** Forgets a delivery, so a redelivery is handled after all (when handling it failed). */
  async forget(platform: Platform, deliveryId: string): Promise<void> {
    await this.redis.del(this.keys.inbound(platform, deliveryId));
  }
}
