/**
 * The scheduler's and delivery queue's settings, read from the environment by ./env.ts (the one
 * module that reads it) and passed in by the composition root.
 *
 * | variable                              | default | meaning                                                   |
 * |---------------------------------------|---------|-----------------------------------------------------------|
 * | SAMLA_TICK_EVERY_MS                   | 60000   | how often a running Samla runs a scheduler pass           |
 * | SAMLA_REMINDER_FRACTION               | 0.5     | where a task reminder goes between send and due (0-1)     |
 * | SAMLA_DELIVERY_CONCURRENCY            | 8       | messages one process sends in parallel, per platform      |
 * | SAMLA_DELIVERY_ATTEMPTS               | 8       | tries per message before it is listed as failed           |
 * | SAMLA_DELIVERY_BACKOFF_MS             | 5000    | first retry delay; doubles per try, with jitter, max 15 min |
 * | SAMLA_SLACK_RATE                      | 10      | messages per second to Slack, all processes together      |
 * | SAMLA_TEAMS_RATE                      | 30      | messages per second to Teams, all processes together      |
 * | SAMLA_SLACK_CONVERSATION_INTERVAL_MS  | 1100    | least time between two messages to one Slack conversation |
 * | SAMLA_TEAMS_CONVERSATION_INTERVAL_MS  | 150     | least time between two messages to one Teams conversation |
 * | SAMLA_NUDGES                          | on      | steering-group nudges with escalation: `on` or `off`      |
 * | SAMLA_NUDGE_GRACE_DAYS                | 5       | working days before a nudge goes one step up the ladder   |
 * | SAMLA_NUDGE_MIN_INTERVAL_DAYS         | 7       | at most one nudge per municipality per this many days     |
 * | SAMLA_NUDGE_EPISODE_DAYS              | 30      | after this long without a nudge, the ladder starts again with the project leader |
 * | SAMLA_NUDGE_CHECK_EVERY_MS            | 900000  | how often a process looks for due nudges, per network     |
 */
import type { EscalationRules } from '../core/followUp.ts';
import type { Platform } from '../core/model.ts';

/** Sending limits of one platform. */
export interface PlatformLimits {
  /** Messages per second, all processes together (BullMQ's limiter on that platform's queue). */
  ratePerSecond: number;
  /** Least time between two messages to one conversation (per-conversation pacing in Redis). */
  conversationIntervalMs: number;
}

export interface SchedulerConfig {
  tickEveryMs: number;
  reminderFraction: number;
  concurrency: number;
  attempts: number;
  backoffMs: number;
  /** Longest retry delay. */
  maxBackoffMs: number;
  limits: Record<Platform, PlatformLimits>;
  /** Steering-group nudges: the escalation rules, and how often to look; undefined when off. */
  nudges?: { rules: EscalationRules; everyMs: number };
}

/** The defaults, as the table above says. */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  tickEveryMs: 60_000,
  reminderFraction: 0.5,
  concurrency: 8,
  attempts: 8,
  backoffMs: 5000,
  maxBackoffMs: 15 * 60_000,
  limits: {
    slack: { ratePerSecond: 10, conversationIntervalMs: 1100 },
    teams: { ratePerSecond: 30, conversationIntervalMs: 150 },
  },
  nudges: { rules: { graceDays: 5, minIntervalDays: 7, episodeDays: 30 }, everyMs: 900_000 },
};
