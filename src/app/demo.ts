/**
 * The local demo at run time: loading (or starting over) the demo network with its history, and
 * the time control behind the chat page ("jump to three days before samling 2"). A jump moves
 * the demo clock and runs a real scheduler pass at that moment; the prompts then go through the
 * delivery queue and the Teams adapter into the local chat, like any other delivery.
 */
import type { RedisDemoData } from '../../adapters/redis/demoData.ts';
import { planAgenda, type AgendaItem, type PromptKind } from '../core/agenda.ts';
import { instantToLocal } from '../core/calendar.ts';
import { invalidInput } from '../core/errors.ts';
import type { NetworkDefinition } from '../core/model.ts';
import { gatheringStart } from '../core/schedule.ts';
import type { TickReport } from '../core/scheduler/tick.ts';
import type { DemoClock } from './demoClock.ts';
import { DEMO_NETWORK_ID, DEMO_VERSIONS, demoStart, loadDemoNetwork } from './demoNetwork.ts';
import type { RunningScheduler } from './scheduler.ts';
import type { AppDeps } from './deps.ts';

/**
 * What the demo works with: the store, and its own records (the clock, starting over, the
 * scheduler state: adapters/redis/demoData.ts), built by the composition root.
 */
export type DemoDeps = Pick<AppDeps, 'store' | 'demo'>;

/**
 * Loads the demo network afresh: what an earlier demo left (its records, scheduler state, queued
 * deliveries) is removed first, other networks are not touched. The clock goes to the start.
 */
export async function startDemoNetwork(deps: DemoDeps, clock: DemoClock): Promise<NetworkDefinition> {
  const start = demoStart();
  const { demo, store } = deps;
  // The clock goes back first, and the scheduler's watermark is in place before the network is:
  // a pass running meanwhile (the timer) finds nothing due, never the history's prompts.
  clock.set(start);
  await clock.save(demo);
  if (await store.getSummary(DEMO_NETWORK_ID)) await removeDemoNetwork(store, demo);
  await demo.schedule.advance(DEMO_NETWORK_ID, start, DEMO_VERSIONS, start);
  // Imports run on a connection of their own that queues commands while it connects (as in main.ts).
  const def = await demo.importing((importer) => loadDemoNetwork(importer));
  // The history is history: the scheduler starts at the demo's "now", not at the first import.
  const summary = await store.getSummary(DEMO_NETWORK_ID);
  if (summary && summary.version !== DEMO_VERSIONS) await demo.schedule.advance(DEMO_NETWORK_ID, start, summary.version, start);
  return def;
}

/** Deletes the demo network's keys, its queued delivery jobs and its index entries. */
async function removeDemoNetwork(store: DemoDeps['store'], demo: RedisDemoData): Promise<void> {
  const people = await store.getPeople(DEMO_NETWORK_ID);
  // Every process drops what it cached about the demo's people (adapters/redis/personIndex.ts).
  await demo.removeNetwork(DEMO_NETWORK_ID, people.map((p) => p.email));
}

export interface UpcomingItem {
  /** The instant to jump to. */
  at: string;
  /** Local time in the network's zone, "2027-05-03T08:00". */
  local: string;
  kind: PromptKind | 'gathering';
  title: string;
  network: string;
  recipients: number;
}

export interface JumpReport {
  at: string;
  enqueued: number;
  skipped: number;
  /** Networks held: the moment is in their quiet time, so nothing went out. */
  held: string[];
  /** Deliveries not finished within the wait (they still go out). */
  pending: boolean;
}

/** What an agenda item is about, in the network's own words: the task, the gathering, the municipality. */
function titleOf(def: NetworkDefinition, item: AgendaItem): string {
  const gathering = def.gatherings.find((g) => g.id === item.gathering);
  const task = gathering?.tasks.find((t) => t.id === item.task);
  const municipality = def.municipalities.find((m) => m.id === item.municipality);
  return task?.title ?? gathering?.title ?? municipality?.name ?? def.name;
}

/** The clock control of the local demo. Jumps run one at a time. */
export class DemoTime {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      deps: DemoDeps;
      clock: DemoClock;
      scheduler: () => RunningScheduler | undefined;
      /** How long a jump waits for its deliveries, default 20 s. */
      drainMs?: number;
    },
  ) {}

  now(): Date {
    return this.o.clock.now();
  }

  /** What comes next in every network: the agenda's prompts and the gatherings, grouped by moment. */
  async upcoming(limit = 12, horizonDays = 200): Promise<UpcomingItem[]> {
    const { store } = this.o.deps;
    const from = new Date(this.now().getTime() + 1);
    const to = new Date(from.getTime() + horizonDays * 24 * 3600_000);
    const out = new Map<string, UpcomingItem>();
    for (const summary of await store.listNetworks()) {
      const def = await store.getNetwork(summary.id);
      if (!def) continue;
      const lastStatus: Record<string, Date> = {};
      for (const m of def.municipalities) {
        const at = (await store.listStatus(def.id, m.id, 1))[0]?.at;
        if (at) lastStatus[m.id] = new Date(at);
      }
      for (const item of planAgenda(def, { from, to }, { lastStatus })) {
        const key = `${def.id}|${item.kind}|${item.gathering ?? ''}|${item.at.getTime()}`;
        const known = out.get(key);
        if (known) known.recipients += item.recipients.length;
        else out.set(key, { at: item.at.toISOString(), local: item.local, kind: item.kind, title: titleOf(def, item), network: def.id, recipients: item.recipients.length });
      }
      for (const g of def.gatherings) {
        const at = gatheringStart(def, g);
        if (at >= from && at < to) out.set(`${def.id}|gathering|${g.id}`, { at: at.toISOString(), local: g.starts, kind: 'gathering', title: g.title, network: def.id, recipients: 0 });
      }
    }
    return [...out.values()].sort((a, b) => a.at.localeCompare(b.at) || a.kind.localeCompare(b.kind)).slice(0, limit);
  }

  /** Local time of an instant in the first network's zone (Europe/Oslo without networks). */
  async local(at: Date): Promise<string> {
    const [first] = await this.o.deps.store.listNetworks();
    const def = first ? await this.o.deps.store.getNetwork(first.id) : undefined;
    return instantToLocal(at, def?.timezone ?? 'Europe/Oslo');
  }

  /**
   * Moves the clock to `to` (forward only) and runs a scheduler pass there, then waits until the
   * prompts it queued are delivered (up to `drainMs`).
   */
  jump(to: Date): Promise<JumpReport> {
    return this.exclusive(() => this.jumpNow(to));
  }

  /** Runs `work` when no jump (or other exclusive work, such as starting over) runs. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => {});
    return run;
  }

  private async jumpNow(to: Date): Promise<JumpReport> {
    if (!(to.getTime() > this.now().getTime())) throw invalidInput('The demo clock only moves forward.');
    const scheduler = this.o.scheduler();
    this.o.clock.set(to);
    await this.o.clock.save(this.o.deps.demo);
    if (!scheduler) return { at: to.toISOString(), enqueued: 0, skipped: 0, held: [], pending: false };
    // The runtime's pass (not the timer's), so a pass already running cannot swallow this one;
    // passes may overlap safely (claims are exactly-once across processes).
    const report: TickReport = await scheduler.runtime.tick(to);
    let pending = false;
    try {
      await scheduler.runtime.drain(this.o.drainMs ?? 20_000);
    } catch {
      pending = true;
    }
    return {
      at: report.at,
      enqueued: report.networks.reduce((n, r) => n + r.enqueued + r.resumed, 0),
      skipped: report.networks.reduce((n, r) => n + r.skipped, 0),
      held: report.networks.filter((r) => r.held).map((r) => r.network),
      pending,
    };
  }
}
