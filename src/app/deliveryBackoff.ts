/**
 * Retry delays for transient delivery failures (5xx, network errors): exponential backoff with
 * "equal jitter", the delay for try n is uniformly random in [d/2, d] with d = base × 2^(n-1),
 * capped. Jitter spreads the retries of many messages that failed together (a platform outage),
 * so they do not come back as one burst. A failure that says when to come back (`retryAfterMs`)
 * never retries sooner than that.
 *
 * Rate limits (429) do not come here: the worker pauses the whole platform queue for the
 * Retry-After time instead, without using up a try (see ./deliveryWorker.ts).
 */
import type { BackoffStrategy } from 'bullmq';
import { DeliveryError } from '../core/ports.ts';

/** The BullMQ backoff type name that selects this strategy in the job options. */
export const BACKOFF_TYPE = 'samla-jitter';

export function deliveryBackoff(baseMs: number, maxMs: number, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade: number, _type?: string, err?: Error) => {
    const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
    const delay = Math.round(full / 2 + (random() * full) / 2);
    const retryAfter = err instanceof DeliveryError ? (err.retryAfterMs ?? 0) : 0;
    return Math.max(delay, retryAfter);
  };
}
