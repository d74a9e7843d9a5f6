/**
 * The scheduler's and delivery queue's settings from the environment, validated once by the
 * composition root (like ./config.ts, which holds the settings every command needs).
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
import { z } from 'zod';
import { SamlaError } from '../core/errors.ts';
import type { EscalationRules } from '../core/lagging/nudges.ts';
import type { Platform } from '../core/model.ts';

const int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);

const schema = z.object({
  SAMLA_TICK_EVERY_MS: int(1000, 3_600_000, 60_000),
  SAMLA_REMINDER_FRACTION: z.coerce.number().gt(0).lt(1).default(0.5),
  SAMLA_DELIVERY_CONCURRENCY: int(1, 200, 8),
  SAMLA_DELIVERY_ATTEMPTS: int(1, 50, 8),
  SAMLA_DELIVERY_BACKOFF_MS: int(10, 3_600_000, 5000),
  SAMLA_SLACK_RATE: z.coerce.number().gt(0).max(1000).default(10),
  SAMLA_TEAMS_RATE: z.coerce.number().gt(0).max(1000).default(30),
  SAMLA_SLACK_CONVERSATION_INTERVAL_MS: int(0, 60_000, 1100),
  SAMLA_TEAMS_CONVERSATION_INTERVAL_MS: int(0, 60_000, 150),
  SAMLA_NUDGES: z.enum(['on', 'off']).default('on'),
  SAMLA_NUDGE_GRACE_DAYS: int(0, 60, 5),
  SAMLA_NUDGE_MIN_INTERVAL_DAYS: int(1, 90, 7),
  SAMLA_NUDGE_EPISODE_DAYS: int(1, 365, 30),
  SAMLA_NUDGE_CHECK_EVERY_MS: int(0, 86_400_000, 900_000),
});

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
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = readSchedulerConfig({});

/** Reads and validates the scheduler's variables; empty strings count as unset. */
export function readSchedulerConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'The scheduler settings in the environment are not valid; fix these variables:', {
      details: parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`),
    });
  }
  const e = parsed.data;
  return {
    tickEveryMs: e.SAMLA_TICK_EVERY_MS,
    reminderFraction: e.SAMLA_REMINDER_FRACTION,
    concurrency: e.SAMLA_DELIVERY_CONCURRENCY,
    attempts: e.SAMLA_DELIVERY_ATTEMPTS,
    backoffMs: e.SAMLA_DELIVERY_BACKOFF_MS,
    maxBackoffMs: 15 * 60_000,
    limits: {
      slack: { ratePerSecond: e.SAMLA_SLACK_RATE, conversationIntervalMs: e.SAMLA_SLACK_CONVERSATION_INTERVAL_MS },
      teams: { ratePerSecond: e.SAMLA_TEAMS_RATE, conversationIntervalMs: e.SAMLA_TEAMS_CONVERSATION_INTERVAL_MS },
    },
    ...(e.SAMLA_NUDGES === 'on'
      ? {
          nudges: {
            rules: { graceDays: e.SAMLA_NUDGE_GRACE_DAYS, minIntervalDays: e.SAMLA_NUDGE_MIN_INTERVAL_DAYS, episodeDays: e.SAMLA_NUDGE_EPISODE_DAYS },
            everyMs: e.SAMLA_NUDGE_CHECK_EVERY_MS,
          },
        }
      : {}),
  };
}
