/**
 * One scheduler pass, `tick(at)`: for every network, the agenda items that fell due since the
 * last complete pass are fanned out to their recipients, claimed in the store and put on the
 * delivery queue.
 *
 * Exactly once, with several processes and crashes:
 * - the window is [watermark, at]; the watermark (per network, in Redis) only advances after a
 *   pass has claimed and enqueued everything in it, so a pass that dies half-way leaves the
 *   window to the next pass, in this process or another;
 * - each occurrence is claimed atomically (first claim wins); a claim that finds the occurrence
 *   still `queued` puts it on the queue again, which is a no-op when the job exists (its job id
 *   is the occurrence id) and harmless when it does not (the worker refuses an occurrence that
 *   is already `sent` or `skipped`);
 * - with no watermark yet, the window starts at the network's first import; when the network
 *   changed since the last pass (a new version: a moved gathering, new people), the window starts
 *   there again, so prompts that an edit moved into the past (or gave to new people) are
 *   found; of what the last pass already covered only prompts that still have a point are looked
 *   at. Claims keep everything already sent from going again.
 *
 * Quiet time: a pass whose instant is outside the network's allowed hours (evening, weekend,
 * holiday) holds the network: nothing is sent and the watermark stays, so work found by a
 * catch-up after downtime goes out when the working day starts, not at 03:00. Within
 * `quietGraceMs` after the end of the allowed hours a pass still runs, so a coarse tick interval
 * does not hold a 15:59 prompt until the next morning.
 *
 * Steering-group nudges (./nudges.ts), when `deps.nudges` is given: after the agenda part, the
 * lagging signals and the escalation ladder decide which nudges are due now; they are claimed
 * and enqueued the same way (deterministic ids, so exactly once). This reads every
 * municipality's records, so a process does it at most once per `nudges.everyMs` per network;
 * a failure there is logged and does not hold the agenda's prompts.
 */
import { planAgenda, type AgendaItem } from '../agenda.ts';
import { WorkingCalendar, instantToLocal } from '../calendar.ts';
import type { EscalationRules } from '../lagging/nudges.ts';
import type { CheckinAnswer, NetworkDefinition, TaskCompletion } from '../model.ts';
import type { NetworkStore } from '../ports.ts';
import { deadlineOf, fanOut, reachIndex } from './fanOut.ts';
import { NetworkCache } from './networkCache.ts';
import { planNudges } from './nudges.ts';
import { LOST_POINT_REASONS, type Occurrence, type SkipReason } from './occurrence.ts';
import { silentLogger, type ClaimRequest, type DeliveryQueue, type ScheduleStore, type SchedulerLogger } from './ports.ts';

/** Occurrences claimed (and enqueued) per store call. */
export const DEFAULT_BATCH_SIZE = 500;
/** How long after the allowed hours end a pass still runs; see the module comment. */
export const DEFAULT_QUIET_GRACE_MS = 10 * 60_000;
/** Nudges are looked at this often per network and process, by default. */
export const DEFAULT_NUDGE_EVERY_MS = 15 * 60_000;

/** Steering-group nudges in the passes (see the module comment). */
export interface NudgeOptions {
  rules: EscalationRules;
  /** Look at a network's nudges at most this often (by the pass's instant); default 15 minutes. */
  everyMs?: number;
  /** When each network's nudges were last looked at (ms), kept by the caller between passes. */
  checked?: Map<string, number>;
}

export interface TickDeps {
  store: NetworkStore;
  schedule: ScheduleStore;
  queue: DeliveryQueue;
  logger?: SchedulerLogger;
  /** Parsed definitions, reloaded only when a network's version changes (default: none kept). */
  networks?: NetworkCache;
  /** Where a task reminder goes between send and due, 0 < f < 1 (default 0.5). */
  reminderFraction?: number;
  batchSize?: number;
  quietGraceMs?: number;
  /**
   * Called after each batch is claimed and before it is enqueued, with the number claimed so
   * far in this network: a test hook to stop a process at the worst moment.
   */
  afterClaim?: (claimedSoFar: number) => Promise<void> | void;
  /** Steering-group nudges; none when absent. */
  nudges?: NudgeOptions;
}

export interface ItemTickReport {
  id: string;
  kind: AgendaItem['kind'];
  title: string;
  at: string;
  local: string;
  /** Occurrences this pass claimed and enqueued. */
  enqueued: number;
  /** Occurrences found still queued (a crashed or concurrent pass) and enqueued again. */
  resumed: number;
  /** Occurrences this pass recorded as skipped, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Occurrences already handled by an earlier or concurrent pass. */
  already: number;
}

export interface NetworkTickReport {
  network: string;
  timezone: string;
  /** Set when the network was held: the pass's instant is in quiet time. */
  held?: 'quiet_time';
  /** Set when the pass failed for this network (nothing advanced; the next pass tries again). */
  error?: string;
  from?: string;
  to?: string;
  /** True when the window started at the first import (first pass, or the network changed). */
  sweep: boolean;
  enqueued: number;
  resumed: number;
  skipped: number;
  already: number;
  items: ItemTickReport[];
}

export interface TickReport {
  at: string;
  networks: NetworkTickReport[];
}

/** Runs one pass as of `at` over every network (or the given ones). */
export async function tick(deps: TickDeps, at: Date, opts: { networks?: string[] } = {}): Promise<TickReport> {
  const ids = opts.networks ?? (await deps.store.listNetworks()).map((n) => n.id);
  const networks: NetworkTickReport[] = [];
  for (const id of ids) {
    try {
      const report = await tickNetwork(deps, id, at);
      if (report) networks.push(report);
    } catch (err) {
      // one network's failure must not stop the others; its watermark stays, so the next pass retries
      const error = err instanceof Error ? err.message : String(err);
      (deps.logger ?? silentLogger).error({ network: id, err: error }, 'scheduler pass failed for a network');
      networks.push({ network: id, timezone: '', sweep: false, enqueued: 0, resumed: 0, skipped: 0, already: 0, items: [], error });
    }
  }
  return { at: at.toISOString(), networks };
}

async function tickNetwork(deps: TickDeps, id: string, at: Date): Promise<NetworkTickReport | undefined> {
  const logger = deps.logger ?? silentLogger;
  const cached = await (deps.networks ?? new NetworkCache(deps.store)).get(id);
  if (!cached) return undefined;
  const { def, version } = cached; // the version this definition belongs to (an import may land meanwhile)
  const report: NetworkTickReport = { network: id, timezone: def.timezone, sweep: false, enqueued: 0, resumed: 0, skipped: 0, already: 0, items: [] };

  const calendar = new WorkingCalendar(def.quiet, def.timezone);
  if (!calendar.isAllowed(at) && at.getTime() - calendar.previousAllowed(at).getTime() > (deps.quietGraceMs ?? DEFAULT_QUIET_GRACE_MS)) {
    report.held = 'quiet_time';
    return report;
  }

  const state = await deps.schedule.state(id);
  report.sweep = state.watermark === undefined || state.version !== version;
  const from = report.sweep ? await firstImportAt(deps.store, id) : state.watermark!;
  const to = new Date(at.getTime() + 1); // items at exactly `at` are due now
  report.from = from.toISOString();
  report.to = to.toISOString();

  if (from < to) {
    const lastStatus = await lastStatusByMunicipality(deps.store, def);
    const planned = planAgenda(def, { from, to }, { lastStatus, reminderFraction: deps.reminderFraction });
    // A sweep after an edit looks again at the whole history, but only for prompts that can
    // still go out: what the last pass already covered and has lost its point stays as it was.
    const covered = report.sweep ? state.watermark : undefined;
    const items = covered ? planned.filter((i) => i.at >= covered || (deadlineOf(def, i)?.at ?? at) > at) : planned;
    const facts = { now: at, lastStatus, ...(await reminderFacts(deps.store, id, items)) };
    const requests = fanOut(def, items, facts, reachIndex(def));
    const byItem = new Map(items.map((i) => [i.id, itemReport(i, def.timezone)] as const));
    report.items = [...byItem.values()];
    await claimAndEnqueue(deps, id, requests, at, byItem, report, logger);
  }
  await deps.schedule.advance(id, to, version, at);
  if (deps.nudges) {
    try {
      await nudgeNetwork(deps, deps.nudges, def, at, report, logger);
    } catch (err) {
      logger.error({ network: id, err: err instanceof Error ? err.message : String(err) }, 'planning steering-group nudges failed; the next pass tries again');
    }
  }
  return report;
}

/** The nudges due now, claimed and enqueued (see the module comment). */
async function nudgeNetwork(deps: TickDeps, opts: NudgeOptions, def: NetworkDefinition, at: Date, report: NetworkTickReport, logger: SchedulerLogger): Promise<void> {
  const last = opts.checked?.get(def.id);
  if (last !== undefined && at.getTime() >= last && at.getTime() - last < (opts.everyMs ?? DEFAULT_NUDGE_EVERY_MS)) return;
  const plans = await planNudges(deps.store, def, at, opts.rules, reachIndex(def));
  const byItem = new Map<string, ItemTickReport>();
  for (const p of plans) {
    byItem.set(p.id, { id: p.id, kind: 'nudge', title: p.title, at: p.at.toISOString(), local: instantToLocal(p.at, def.timezone), enqueued: 0, resumed: 0, skipped: {}, already: 0 });
  }
  await claimAndEnqueue(deps, def.id, plans.flatMap((p) => p.requests), at, byItem, report, logger);
  report.items.push(...byItem.values());
  opts.checked?.set(def.id, at.getTime());
}

async function claimAndEnqueue(
  deps: TickDeps,
  network: string,
  requests: ClaimRequest[],
  at: Date,
  byItem: Map<string, ItemTickReport>,
  report: NetworkTickReport,
  logger: SchedulerLogger,
): Promise<void> {
  const size = Math.max(1, deps.batchSize ?? DEFAULT_BATCH_SIZE);
  let claimed = 0;
  for (let i = 0; i < requests.length; i += size) {
    const batch = requests.slice(i, i + size);
    const results = await deps.schedule.claim(network, batch, at);
    claimed += batch.length;
    const toQueue: Occurrence[] = [];
    batch.forEach((req, j) => {
      const result = results[j];
      const item = byItem.get(req.occurrence.item)!;
      if (result === 'new' && req.skip) {
        item.skipped[req.skip] = (item.skipped[req.skip] ?? 0) + 1;
        report.skipped++;
        if (LOST_POINT_REASONS.has(req.skip)) {
          logger.info({ network, occurrence: req.occurrence.id, kind: req.occurrence.kind, reason: req.skip }, 'prompt skipped: it lost its point');
        }
      } else if (result === 'new') {
        item.enqueued++;
        report.enqueued++;
        toQueue.push(req.occurrence);
      } else if (result === 'queued') {
        item.resumed++;
        report.resumed++;
        toQueue.push(req.occurrence);
      } else {
        item.already++;
        report.already++;
      }
    });
    await deps.afterClaim?.(claimed);
    if (toQueue.length) await deps.queue.enqueue(toQueue);
  }
}

function itemReport(item: AgendaItem, zone: string): ItemTickReport {
  return {
    id: item.id,
    kind: item.kind,
    title: item.title,
    at: item.at.toISOString(),
    local: instantToLocal(item.at, zone),
    enqueued: 0,
    resumed: 0,
    skipped: {},
    already: 0,
  };
}

/** When the network was first imported: its oldest event, else its last import time. */
async function firstImportAt(store: NetworkStore, id: string): Promise<Date> {
  const [first] = await store.events(id, { count: 1 });
  const when = Date.parse(first?.at ?? (await store.getSummary(id))?.importedAt ?? '');
  return new Date(Number.isFinite(when) ? when : 0);
}

/** Each municipality's latest status time (the facts the status nudges are planned from). */
export async function lastStatusByMunicipality(store: NetworkStore, def: NetworkDefinition): Promise<Record<string, Date>> {
  const latest = await Promise.all(def.municipalities.map((m) => store.listStatus(def.id, m.id, 1)));
  const out: Record<string, Date> = {};
  def.municipalities.forEach((m, i) => {
    const at = latest[i]?.[0]?.at;
    if (at) out[m.id] = new Date(at);
  });
  return out;
}

/** Answers of the gatherings whose reminders are in this pass (and only those). */
async function reminderFacts(store: NetworkStore, network: string, items: AgendaItem[]) {
  const taskGatherings = new Set(items.filter((i) => i.kind === 'task_reminder' && i.gathering).map((i) => i.gathering!));
  const checkinGatherings = new Set(items.filter((i) => i.kind === 'checkin_reminder' && i.gathering).map((i) => i.gathering!));
  const taskCompletions = new Map<string, TaskCompletion[]>();
  const checkins = new Map<string, CheckinAnswer[]>();
  await Promise.all([
    ...[...taskGatherings].map(async (g) => taskCompletions.set(g, await store.listTaskCompletions(network, g))),
    ...[...checkinGatherings].map(async (g) => checkins.set(g, await store.listCheckins(network, g))),
  ]);
  return { taskCompletions, checkins };
}
