/**
 * Steering-group nudges in a scheduler pass. For each municipality with open signals its steering
 * group can act on, the escalation ladder (src/core/lagging/nudges.ts) says whether a nudge is
 * due now and to whom: the project leader, then the steering group (in its linked channel, or
 * DMs to its members), then the organisers. Each becomes occurrences on the delivery queue like
 * any prompt.
 *
 * Exactly once: a nudge's id is deterministic (municipality, level and ISO week, `nudgeId`), and
 * so are its occurrences (`<nudge id>:<municipality>:<email>`, or `:#steering` for the channel
 * post), so a later pass, or another process, planning the same nudge before it is sent claims
 * the same occurrences and sends nothing twice. The nudge enters the municipality's history
 * when it is sent (`recordSent`), and the next step counts its grace period from then.
 *
 * The channel: a link made from the channel (`link steering`, NetworkStore.steeringLinks) wins
 * over the network file's `steeringChannel`; the channel is on the link's platform, else the
 * municipality's.
 */
import { WorkingCalendar, addLocalDays } from '../calendar.ts';
import { STEERING_SIGNALS, isFellesferie, nextNudge, nudgeId, type EscalationRules, type NudgeLevel } from '../lagging/nudges.ts';
import { loadRecords } from '../lagging/records.ts';
import { computeSignals } from '../lagging/signals.ts';
import type { NetworkDefinition } from '../model.ts';
import type { NetworkStore } from '../ports.ts';
import type { Reach } from './fanOut.ts';
import { occurrenceId, type Occurrence } from './occurrence.ts';
import type { ClaimRequest } from './ports.ts';

/** A nudge that waits in the queue longer than this is dropped (`too_late`): next week's takes over. */
export const NUDGE_LATE_DAYS = 7;
/** The `email` of a nudge's channel post (it names no person). */
export const CHANNEL_RECIPIENT = '#steering';

/** A planned nudge and its occurrences. */
export interface NudgePlan {
  id: string;
  municipality: string;
  level: NudgeLevel;
  title: string;
  at: Date;
  requests: ClaimRequest[];
}

/**
 * The nudges due at `at` for one network (none in quiet time or fellesferie). Reads every
 * municipality's records once, and the nudge history of those with open signals.
 */
export async function planNudges(
  store: NetworkStore,
  def: NetworkDefinition,
  at: Date,
  rules: EscalationRules,
  reach: Map<string, Reach>,
): Promise<NudgePlan[]> {
  const calendar = new WorkingCalendar(def.quiet, def.timezone);
  if (!calendar.isAllowed(at) || isFellesferie(at, def.timezone)) return [];
  const [records, links, unreachableList] = await Promise.all([
    loadRecords(store, def, undefined, { now: at }),
    store.steeringLinks(def.id),
    store.listUnreachable(def.id),
  ]);
  const unreachable = new Set(unreachableList.map((u) => u.email.toLowerCase()));
  const candidates = computeSignals(def, records, at).filter((m) => m.signals.some((s) => STEERING_SIGNALS.includes(s.kind)));
  const histories = await Promise.all(candidates.map((c) => store.listNudges(def.id, c.municipality.id, 3)));
  const plans: NudgePlan[] = [];
  candidates.forEach(({ municipality: m, signals }, i) => {
    const link = links[m.id];
    const channel = link?.channel ?? m.steeringChannel;
    const planned = nextNudge(def, m, signals, histories[i]!, at, calendar, rules, channel, unreachable);
    if (!planned) return;
    const id = nudgeId(def, m.id, planned.level, at);
    const base = {
      network: def.id,
      item: id,
      kind: 'nudge' as const,
      municipality: m.id,
      level: planned.level,
      at: at.toISOString(),
      deadline: addLocalDays(at, NUDGE_LATE_DAYS, def.timezone).toISOString(),
      deadlineReason: 'too_late' as const,
    };
    const occurrences: Occurrence[] = planned.channel
      ? [
          {
            ...base,
            id: occurrenceId(id, m.id, CHANNEL_RECIPIENT),
            email: CHANNEL_RECIPIENT,
            name: m.name,
            platform: link?.platform ?? m.platform,
            locale: m.locale ?? def.locale,
            channel: planned.channel,
          },
        ]
      : planned.recipients.map((r) => {
          const who = reach.get(r.email);
          return {
            ...base,
            id: occurrenceId(id, m.id, r.email),
            email: r.email,
            name: r.name,
            platform: who?.platform ?? m.platform,
            locale: who?.locale ?? r.locale ?? def.locale,
          };
        });
    plans.push({ id, municipality: m.id, level: planned.level, title: `Nudge (${planned.level}): ${m.name}`, at, requests: occurrences.map((occurrence) => ({ occurrence })) });
  });
  return plans;
}
