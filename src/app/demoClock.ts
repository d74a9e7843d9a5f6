/**
 * The demo's simulated clock. The demo network's history is dated relative to a moment nine
 * days before its second gathering (see ./demoNetwork.ts); the clock starts there and runs at
 * real speed from wherever it was last set, so Samla behaves as on an ordinary Monday morning in
 * April 2027. The time control on the chat page moves it forward ("jump to the check-in").
 *
 * Its position is kept in Redis (`<prefix>demo:clock`, adapters/redis/demoData.ts), so a
 * restarted demo goes on from where it was: the clock stands still while Samla is stopped.
 */

/** Where the clock's position is kept (adapters/redis/demoData.ts, built by the composition root). */
export interface DemoClockStore {
  clock(): Promise<Date | undefined>;
  saveClock(at: Date): Promise<void>;
}

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

  /** Resumes from the saved position, if any; returns whether there was one. */
  async load(saved: DemoClockStore): Promise<boolean> {
    const at = await saved.clock();
    if (!at) return false;
    this.set(at);
    return true;
  }

  /** Saves the current position (after a jump, and when Samla stops). */
  async save(saved: DemoClockStore): Promise<void> {
    if (this.anchor) await saved.saveClock(this.now());
  }
}
