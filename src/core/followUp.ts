/**
 * What the follow-up of municipalities that lag behind records (domain types the store keeps):
 * the kinds of signal, the nudges sent with their escalation level, and the digest snapshots.
 * The rules that compute them are in ./lagging/; the store's contract (./ports.ts) needs only
 * these shapes, so they live here, below both.
 */

/** Every kind of lagging signal, in the order the dashboard shows them. */
export const SIGNAL_KINDS = [
  'no_project_leader',
  'project_leader_changed',
  'no_steering_group',
  'steering_missing_party',
  'steering_silent',
  'status_stale',
  'momentum_falling',
  'prep_incomplete',
  'checkin_unanswered',
  'reflection_silent',
  'rosy_gap',
  'unreachable',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Who a nudge goes to, one step up the ladder at a time. */
export type NudgeLevel = 'prosjektleder' | 'steering' | 'organiser';
export const NUDGE_LEVELS: readonly NudgeLevel[] = ['prosjektleder', 'steering', 'organiser'];

export interface EscalationRules {
  /** Working days to wait before the next step. */
  graceDays: number;
  /** At most one nudge per municipality per this many days. */
  minIntervalDays: number;
  /** A nudge older than this ends an episode: new signals start again with the project leader. */
  episodeDays: number;
}

/** A nudge that was sent, in a municipality's nudge history (newest first). */
export interface NudgeRecord {
  /** The nudge's id (its scheduler item id: one per municipality, level and week); recorded once. */
  id?: string;
  municipality: string;
  level: NudgeLevel;
  /** When it was sent (ISO instant). */
  at: string;
  /** The open signals it was about. */
  signals: SignalKind[];
  /** The steering channel it went to, when it went to one. */
  channel?: string;
}

/** Last week's signal kinds per municipality, to say what is new and what was resolved. */
export type DigestSnapshot = Record<string, SignalKind[]>;

/** A snapshot as stored after a scheduled digest was sent. */
export interface StoredDigestSnapshot {
  /** The digest it belongs to (the scheduler's digest item id: one per week). */
  key: string;
  /** When that digest was planned (ISO instant); snapshots are ordered by it. */
  at: string;
  snapshot: DigestSnapshot;
}
