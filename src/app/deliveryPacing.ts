/**
 * Per-conversation pacing, shared by every process through Redis (a global key per
 * conversation, see keys.ts): before a worker sends, `acquire` takes the conversation's lock for
 * its interval (SET NX PX). If another send holds it, the job is put back as delayed until the
 * lock expires (plus a little jitter, so several prompts to one person do not all come back at
 * once), without using up a try.
 *
 * The platform-wide rate (Slack about one message per second per channel and a workspace-wide
 * limit; Teams 7 per second per conversation and a per-app-and-tenant limit) is BullMQ's limiter
 * on each platform's queue. Under that limit the queue itself spreads the prompts to one person:
 * the fan-out enqueues all recipients of one prompt before the next prompt, so one person's
 * prompts are as far apart as there are recipients. The lock only matters when few people get
 * several prompts at once, where deferring a job costs little. A DM is one conversation per
 * person, so the address is the person's email.
 *
 * Pacing runs on real time (`Date.now()`, Redis PX), like BullMQ's own delays: the injected
 * clock says what is due; real time says how fast it may go out.
 */
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Keys } from '../../adapters/redis/keys.ts';
import { defineScripts } from '../../adapters/redis/scripts.ts';
import type { Platform } from '../core/model.ts';
import type { PlatformLimits } from './schedulerConfig.ts';

export class Pacer {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly limits: Record<Platform, PlatformLimits>,
  ) {
    defineScripts(redis);
  }

  /** Takes the conversation's send lock; returns 0 when the caller may send, else ms to wait. */
  async acquire(platform: Platform, address: string): Promise<number> {
    const interval = this.limits[platform].conversationIntervalMs;
    if (interval <= 0) return 0;
    return this.redis.samlaPace(this.keys.pace(platform, address), String(interval));
  }
}
