/**
 * The scheduler's store on Redis: per network, the watermark (`schedule`), the state of every
 * occurrence (`occ`), its details (`occ:info`) and per-item state counts (`occ:counts`). Every
 * change is one Lua script (./lua/samlaOcc*.lua) that also appends `prompt.sent`,
 * `prompt.skipped` (for prompts that lost their point) and `prompt.failed` to the network's event
 * log. Key names: ./keys.ts.
 *
 * Also answers single task and check-in questions for the delivery worker (DeliveryFacts), with
 * one HGET instead of reading a gathering's every answer.
 */
import type { RedisClient } from './client.ts';
import type { CheckinAnswer, TaskCompletion } from '../../src/core/model.ts';
import type { SentRef } from '../../src/core/ports.ts';
import { LOST_POINT_REASONS, OCCURRENCE_STATES, type Occurrence, type OccurrenceState, type SkipReason } from '../../src/core/scheduler/occurrence.ts';
import type {
  ClaimRequest,
  ClaimResult,
  DeliveryFacts,
  ItemDeliveryCounts,
  OccurrenceRecord,
  ScheduleState,
  ScheduleStore,
} from '../../src/core/scheduler/ports.ts';
import { canonicalJson, decodeObject } from './codec.ts';
import { checkinField, createKeys, taskField, type Keys } from './keys.ts';
import { defineScripts } from './scripts.ts';

const STATES: ReadonlySet<string> = new Set(OCCURRENCE_STATES);

export class RedisScheduleStore implements ScheduleStore, DeliveryFacts {
  readonly keys: Keys;

  /** @param redis a connection without `keyPrefix`; @param prefix Samla's key prefix (default "samla:"). */
  constructor(
    private readonly redis: RedisClient,
    prefix?: string,
  ) {
    this.keys = createKeys(prefix);
    defineScripts(redis);
  }

  async state(network: string): Promise<ScheduleState> {
    const h = await this.redis.hgetall(this.keys.schedule(network));
    const out: ScheduleState = {};
    if (h.watermark !== undefined) out.watermark = new Date(Number(h.watermark));
    if (h.version !== undefined) out.version = Number(h.version);
    if (h.lastTick !== undefined) out.lastTick = new Date(h.lastTick);
    return out;
  }

  async advance(network: string, watermark: Date, version: number, now: Date): Promise<void> {
    await this.redis.samlaScheduleAdvance(this.keys.schedule(network), String(watermark.getTime()), String(version), now.toISOString());
  }

  async claim(network: string, requests: ClaimRequest[], now: Date): Promise<ClaimResult[]> {
    if (requests.length === 0) return [];
    const at = now.toISOString();
    const args: string[] = [];
    for (const { occurrence: o, skip } of requests) {
      const info = skip ? canonicalJson({ reason: skip, at }) : '';
      const event = skip && LOST_POINT_REASONS.has(skip) ? canonicalJson(eventData(o, { reason: skip })) : '';
      args.push(o.id, o.item, skip ? 'skipped' : 'queued', skip ?? '', info, event);
    }
    const replies = await this.redis.samlaOccClaim(...this.occKeys(network), at, ...args);
    return replies.map((r) => (r === 'new' ? 'new' : (r as OccurrenceState)));
  }

  async begin(o: Occurrence, now: Date): Promise<'ok' | OccurrenceState> {
    const r = await this.transition(o, '-,queued,sending,failed', 'sending', now, {});
    return r === 'ok' ? 'ok' : (r as OccurrenceState);
  }

  async markSent(o: Occurrence, ref: SentRef, attempts: number, now: Date): Promise<boolean> {
    const r = await this.transition(o, 'sending', 'sent', now, {
      info: { sentRef: ref, attempts, at: now.toISOString() },
      event: { type: 'prompt.sent', data: eventData(o, { platform: ref.platform, conversation: ref.conversation, message: ref.message }) },
    });
    return r === 'ok';
  }

  async markSkipped(o: Occurrence, reason: SkipReason, now: Date): Promise<void> {
    await this.transition(o, 'queued,sending', 'skipped', now, {
      reason,
      info: { reason, at: now.toISOString() },
      ...(LOST_POINT_REASONS.has(reason) ? { event: { type: 'prompt.skipped', data: eventData(o, { reason }) } } : {}),
    });
  }

  async noteAttempt(o: Occurrence, error: string, attempts: number, now: Date): Promise<void> {
    await this.transition(o, 'sending', 'sending', now, { info: { error, attempts, at: now.toISOString() } });
  }

  async markFailed(o: Occurrence, error: string, attempts: number, now: Date): Promise<void> {
    await this.transition(o, '-,queued,sending', 'failed', now, {
      info: { reason: error, error, attempts, at: now.toISOString() },
      event: { type: 'prompt.failed', data: eventData(o, { reason: error, attempts }) },
    });
  }

  async requeue(network: string, occurrence: string, now: Date): Promise<boolean> {
    const item = occurrence.split(':').slice(0, -2).join(':');
    const r = await this.redis.samlaOccTransition(...this.occKeys(network), occurrence, item, 'failed', 'queued', '', '', '', now.toISOString(), '');
    return r === 'ok';
  }

  async get(network: string, occurrence: string): Promise<OccurrenceRecord | undefined> {
    const [state, info] = await Promise.all([
      this.redis.hget(this.keys.occurrences(network), occurrence),
      this.redis.hget(this.keys.occurrenceInfo(network), occurrence),
    ]);
    if (state === null || !STATES.has(state)) return undefined;
    const details = info ? decodeObject<Omit<OccurrenceRecord, 'id' | 'state'>>(info, [], 'occurrence', `${this.keys.occurrenceInfo(network)} ${occurrence}`) : {};
    return { ...details, id: occurrence, state: state as OccurrenceState };
  }

  /** Where the message of an occurrence landed (for updating it later), or undefined when not sent. */
  async sentRef(network: string, occurrence: string): Promise<SentRef | undefined> {
    const record = await this.get(network, occurrence);
    return record?.state === 'sent' ? record.sentRef : undefined;
  }

  async counts(network: string): Promise<Map<string, ItemDeliveryCounts>> {
    const all = await this.redis.hgetall(this.keys.occurrenceCounts(network));
    const out = new Map<string, ItemDeliveryCounts>();
    for (const [field, value] of Object.entries(all)) {
      const bar = field.lastIndexOf('|');
      const item = field.slice(0, bar);
      const [state, reason] = field.slice(bar + 1).split(':') as [string, string | undefined];
      let c = out.get(item);
      if (!c) out.set(item, (c = { queued: 0, sending: 0, sent: 0, skipped: 0, failed: 0, skippedBy: {} }));
      const n = Number(value);
      if (reason !== undefined) {
        if (state === 'skipped') c.skippedBy[reason as SkipReason] = n;
      } else if (STATES.has(state)) {
        c[state as OccurrenceState] = n;
      }
    }
    return out;
  }

  /* ---------- DeliveryFacts ---------- */

  async taskAnswer(network: string, gathering: string, task: string, municipality: string, email: string): Promise<TaskCompletion | undefined> {
    const key = this.keys.tasks(network, gathering);
    const field = taskField(task, municipality, email);
    const json = await this.redis.hget(key, field);
    return json === null ? undefined : decodeObject<TaskCompletion>(json, ['task', 'answer'], 'task completion', `${key} ${field}`);
  }

  async checkinAnswer(network: string, gathering: string, municipality: string, email: string): Promise<CheckinAnswer | undefined> {
    const key = this.keys.checkins(network, gathering);
    const field = checkinField(municipality, email);
    const json = await this.redis.hget(key, field);
    return json === null ? undefined : decodeObject<CheckinAnswer>(json, ['email'], 'check-in', `${key} ${field}`);
  }

  /* ---------- helpers ---------- */

  private occKeys(network: string): [string, string, string, string] {
    const k = this.keys;
    return [k.occurrences(network), k.occurrenceCounts(network), k.occurrenceInfo(network), k.events(network)];
  }

  private async transition(
    o: Occurrence,
    from: string,
    to: OccurrenceState,
    now: Date,
    opts: { reason?: string; info?: Record<string, unknown>; event?: { type: string; data: Record<string, unknown> } },
  ): Promise<string> {
    return this.redis.samlaOccTransition(
      ...this.occKeys(o.network),
      o.id,
      o.item,
      from,
      to,
      opts.reason ?? '',
      opts.info ? canonicalJson(opts.info) : '',
      opts.event?.type ?? '',
      now.toISOString(),
      opts.event ? canonicalJson(opts.event.data) : '',
    );
  }
}

/** The data of a prompt.* event: which occurrence, to whom, plus details. */
function eventData(o: Occurrence, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    occurrence: o.id,
    item: o.item,
    kind: o.kind,
    email: o.email,
    ...(o.municipality ? { municipality: o.municipality } : {}),
    ...extra,
  };
}
