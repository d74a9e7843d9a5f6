/**
 * The demo's simulated clock. The demo network's history is dated relative to a moment nine
 * days before its second gathering (see ./demoNetwork.ts); the clock starts there and runs at
 * real speed from wherever it was last set, so Samla behaves as on an ordinary Monday morning in
 * April 2027. The time control on the chat page moves it forward ("jump to the check-in").
 *
 * Its position is kept in Redis (`<prefix>demo:clock`), so a restarted demo goes on from where
 * it was: the clock stands still while Samla is stopped.
 */
import type { RedisClient } from '../../adapters/redis/client.ts';
import { createKeys } from '../../adapters/redis/keys.ts';

export class DemoClock {
  private anchor: { demo: number; real: number } | undefined;

  constructor(private readonly realNow: () => number = Date.now) {}

  /** The simulated time; real time until the clock is set. */
  now(): Date {
    return this.anchor ? new Date(this.anchor.demo + (this.realNow() - this.anchor.real)) : new Date(this.realNow());
  }

  /** True once the clock runs on simulated time. */
  get simulated(): boolean {
    return this.anchor !== undefined;
  }

  set(at: Date): void {
    this.anchor = { demo: at.getTime(), real: this.realNow() };
  }

  /** Resumes from the position saved in Redis, if any; returns whether there was one. */
  async load(redis: RedisClient, prefix?: string): Promise<boolean> {
    const saved = await redis.get(createKeys(prefix).demoClock());
    const at = saved === null ? NaN : Date.parse(saved);
    if (!Number.isFinite(at)) return false;
    this.set(new Date(at));
    return true;
  }

  /** Saves the current position (after a jump, and when Samla stops). */
  async save(redis: RedisClient, prefix?: string): Promise<void> {
    if (this.anchor) await redis.set(createKeys(prefix).demoClock(), this.now().toISOString());
  }
}
