/**
 * When a 5-field cron schedule ("minute hour day-of-month month day-of-week") fires, in local
 * wall-clock time of a time zone: the evaluator behind `digest.cron`. cron-parser walks the
 * schedule in the zone (with Luxon); `cron.ts` checks the schedule and words its problems.
 *
 * Day of week 0 and 7 are both Sunday. As in Vixie cron, when both day of month and day of week
 * are restricted (neither starts with `*`), a day matches when *either* matches; otherwise both
 * must. cron-parser counts only a bare `*` as unrestricted, so for a field like `*\/10` this
 * module keeps the days on which both match.
 */
import { CronExpressionParser, type CronDate, type CronFieldCollection } from 'cron-parser';
import { cronFields, cronProblem, withSeconds } from './cron.ts';
import { invalidInput } from './errors.ts';

export interface CronSchedule {
  text: string;
  /** The schedule as cron-parser reads it (second 0, then the five fields). */
  fields: CronFieldCollection;
  /** A day field starts with `*` but is not `*` alone: both day fields must match (Vixie). */
  bothDaysMustMatch: boolean;
}

/** Parses a 5-field cron schedule; throws INVALID_INPUT saying which field is wrong. */
export function parseCron(text: string): CronSchedule {
  const problem = cronProblem(text);
  if (problem) throw invalidInput(`Cron schedule "${text}" is not valid: ${problem}.`);
  const parts = cronFields(text);
  const { fields } = CronExpressionParser.parse(withSeconds(parts));
  const starred = (field: string) => field.startsWith('*') && field !== '*';
  const bothRestrictedForParser = !fields.dayOfMonth.isWildcard && !fields.dayOfWeek.isWildcard;
  return { text, fields, bothDaysMustMatch: bothRestrictedForParser && (starred(parts[2]!) || starred(parts[4]!)) };
}

function matchesBothDays(schedule: CronSchedule, date: CronDate): boolean {
  const days = schedule.fields.dayOfMonth.values as readonly (number | string)[];
  const weekdays = (schedule.fields.dayOfWeek.values as readonly (number | string)[]).map((d) => (d === 7 ? 0 : d));
  return days.includes(date.getDate()) && weekdays.includes(date.getDay());
}

/**
 * Every instant in [from, to) at which the schedule fires in local time of `zone`, in order.
 * "0 8 * * 1" stays at 08:00 local across daylight-saving switches. A local time skipped by the
 * spring-forward switch fires when the clock has moved on (02:30 → 03:30); one that occurs twice
 * at the autumn switch fires once, the first time.
 */
export function cronOccurrences(cron: CronSchedule | string, zone: string, from: Date, to: Date): Date[] {
  const schedule = typeof cron === 'string' ? parseCron(cron) : cron;
  const [start, end] = [from.getTime(), to.getTime()];
  if (start >= end) return [];
  // next() returns the first occurrence strictly after currentDate.
  const walk = CronExpressionParser.parse(withSeconds(cronFields(schedule.text)), { tz: zone, currentDate: new Date(start - 1) });
  const found: Date[] = [];
  // cron-parser fires `*` hours in the repeated autumn hour twice; a wall-clock time fires once.
  const wallTimes = new Set<string>();
  for (;;) {
    const next = walk.next();
    const ts = next.getTime();
    if (ts >= end) return found;
    if (ts < start || (schedule.bothDaysMustMatch && !matchesBothDays(schedule, next))) continue;
    const wall = `${next.getFullYear()}-${next.getMonth()}-${next.getDate()} ${next.getHours()}:${next.getMinutes()}`;
    if (wallTimes.has(wall)) continue;
    wallTimes.add(wall);
    found.push(new Date(ts));
  }
}
