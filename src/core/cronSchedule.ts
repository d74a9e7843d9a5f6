/**
 * When a 5-field cron schedule ("minute hour day-of-month month day-of-week") fires, in local
 * wall-clock time of a time zone: the evaluator behind `digest.cron`. (`cron.ts` says what is
 * wrong with a schedule for the network-file parser; this module accepts the same language.)
 *
 * Every field takes numbers, `*`, lists (`1,3,5`), ranges (`1-5`) and steps after `*` or a range
 * (`*\/15`, `8-16/2`). Day of week 0 and 7 are both Sunday. As in Vixie cron, when both day of
 * month and day of week are restricted (neither starts with `*`), a day matches when *either*
 * matches; otherwise both must.
 */
import { CRON_FIELDS, CRON_ITEM, type CronField } from './cron.ts';
import { invalidInput } from './errors.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, TimeZone, dayIndexOf, weekdayOfDay } from './zoneTime.ts';

export interface CronSchedule {
  text: string;
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}


function fieldError(text: string, field: CronField, item: string): Error {
  return invalidInput(`Cron schedule "${text}": "${item}" is not a valid ${field.name} (${field.min}-${field.max}).`);
}

/** The values one comma-separated item stands for. */
function parseItem(item: string, field: CronField, text: string): number[] {
  const m = CRON_ITEM.exec(item);
  if (!m) throw fieldError(text, field, item);
  const [, a, b, s] = m;
  if (s !== undefined && a !== undefined && b === undefined) throw fieldError(text, field, item);
  const from = a === undefined ? field.min : Number(a);
  const to = a === undefined ? field.max : b === undefined ? from : Number(b);
  const step = s === undefined ? 1 : Number(s);
  if (from < field.min || to > field.max || from > to || step < 1) throw fieldError(text, field, item);
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function parseField(source: string, field: CronField, text: string): number[] {
  const values = new Set<number>();
  for (const item of source.split(',')) for (const v of parseItem(item, field, text)) values.add(v);
  return [...values].sort((x, y) => x - y);
}

/** Parses a 5-field cron schedule; throws INVALID_INPUT saying which field is wrong. */
export function parseCron(text: string): CronSchedule {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== CRON_FIELDS.length) {
    throw invalidInput(`Cron schedule "${text}" must have 5 fields: minute hour day-of-month month day-of-week.`);
  }
  const [minutes, hours, dom, months, dow] = CRON_FIELDS.map((f, i) => parseField(parts[i]!, f, text)) as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  return {
    text,
    minutes,
    hours,
    daysOfMonth: new Set(dom),
    months: new Set(months),
    daysOfWeek: new Set(dow.map((d) => d % 7)),
    domRestricted: !parts[2]!.startsWith('*'),
    dowRestricted: !parts[4]!.startsWith('*'),
  };
}

/** True when the schedule runs on the local date with this day index (days since 1970-01-01). */
export function cronMatchesDay(cron: CronSchedule, dayIndex: number): boolean {
  const date = new Date(dayIndex * DAY_MS);
  if (!cron.months.has(date.getUTCMonth() + 1)) return false;
  const domOk = cron.daysOfMonth.has(date.getUTCDate());
  const dowOk = cron.daysOfWeek.has(weekdayOfDay(dayIndex));
  return cron.domRestricted && cron.dowRestricted ? domOk || dowOk : domOk && dowOk;
}

/**
 * Every instant in [from, to) at which the schedule fires in local time of `zone`, in order.
 * Local days are walked one by one, so "0 8 * * 1" stays at 08:00 local across daylight-saving
 * switches. A local time skipped by the spring-forward switch fires when the clock has moved on
 * (02:30 → 03:30); one that occurs twice at the autumn switch fires once, the first time.
 */
export function cronOccurrences(cron: CronSchedule | string, zone: string, from: Date, to: Date): Date[] {
  const schedule = typeof cron === 'string' ? parseCron(cron) : cron;
  const tz = TimeZone.get(zone);
  const [start, end] = [from.getTime(), to.getTime()];
  if (start >= end) return [];
  const found = new Set<number>();
  const lastDay = dayIndexOf(tz.toWall(end));
  for (let day = dayIndexOf(tz.toWall(start)); day <= lastDay; day++) {
    if (!cronMatchesDay(schedule, day)) continue;
    for (const h of schedule.hours) {
      for (const m of schedule.minutes) {
        const ts = tz.toInstant(day * DAY_MS + h * HOUR_MS + m * MINUTE_MS);
        if (ts >= start && ts < end) found.add(ts);
      }
    }
  }
  return [...found].sort((x, y) => x - y).map((ts) => new Date(ts));
}
