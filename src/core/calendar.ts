/**
 * The calendar rules: local times in a network's time zone, offsets relative to a gathering,
 * and the working calendar that keeps prompts out of quiet time (evenings, weekends, public
 * holidays).
 *
 * Pure functions: time is always passed in, nothing here reads the clock.
 */
import Holidays from 'date-holidays';
import { SamlaError, invalidInput } from './errors.ts';
import type { Offset, QuietRules } from './model.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  TimeZone,
  dayIndexOf,
  formatWallDate,
  formatWallDateTime,
  parseWallDate,
  parseWallDateTime,
  timeOfDay,
  weekdayOfDay,
  yearOfDay,
} from './zoneTime.ts';

/* ---------- local times ---------- */

/**
 * The instant of a local date-time ("2027-02-10T09:00", seconds optional) in `zone`.
 * A time skipped by the spring-forward switch moves forward by the gap (02:30 → 03:30); a time
 * that occurs twice at the autumn switch means its first occurrence (summer time).
 * Throws INVALID_INPUT for a malformed date-time or an unknown zone.
 */
export function localToInstant(local: string, zone: string): Date {
  return new Date(TimeZone.get(zone).toInstant(parseLocal(local)));
}

/**
 * The local date-time of an instant in `zone`, always to the minute: "2027-02-10T09:00".
 * Seconds are cut off, never rounded, so the text is the minute the instant falls in; prompts
 * are planned on whole minutes, so nothing is lost for them.
 */
export function instantToLocal(d: Date, zone: string): string {
  return formatWallDateTime(TimeZone.get(zone).toWall(d.getTime()));
}

/** The local date ("2027-02-10") of an instant in `zone`. */
export function instantToLocalDate(d: Date, zone: string): string {
  return formatWallDate(TimeZone.get(zone).toWall(d.getTime()));
}

function parseLocal(local: string): number {
  const wall = parseWallDateTime(local);
  if (wall === undefined) throw invalidInput(`"${local}" is not a local date-time like 2027-02-10T09:00.`);
  return wall;
}

function parseDate(localDate: string): number {
  const wall = parseWallDate(localDate);
  if (wall === undefined) throw invalidInput(`"${localDate}" is not a date like 2027-02-10.`);
  return wall;
}

/* ---------- offsets ---------- */

/** The offset as a signed number of its unit, times `times`. */
function signedAmount(offset: Offset, times: number): number {
  return offset.sign * offset.amount * times;
}

/** Adds an offset to a wall value in `zone` and returns the instant. */
function addToWall(zone: TimeZone, wall: number, offset: Offset, times: number): number {
  const n = signedAmount(offset, times);
  switch (offset.unit) {
    case 'w':
      return zone.toInstant(wall + n * 7 * DAY_MS);
    case 'd':
      return zone.toInstant(wall + n * DAY_MS);
    case 'h':
      return zone.toInstant(wall) + n * HOUR_MS;
    case 'm':
      return zone.toInstant(wall) + n * MINUTE_MS;
  }
}

/**
 * The instant `offset` away from the local date-time `localStart` in `zone`.
 *
 * Days and weeks keep the local wall-clock time: "-21d" from 2027-04-07 09:00 is 2027-03-17
 * 09:00, although summer time started in between (the gap is 21 × 24 − 1 hours). This is what
 * luxon's `DateTime.fromISO(localStart, { zone }).plus({ days })` does. Hours and minutes are
 * exact elapsed time: "-2h" is always 7,200 seconds earlier.
 *
 * When a day offset lands on a wall time that does not exist (inside the spring-forward gap,
 * e.g. 02:30 on 2027-03-28 in Europe/Oslo) it moves forward by the gap, to 03:30, as luxon
 * does; when it lands on one that occurs twice (02:30 on 2027-10-31) it means the first one.
 */
export function applyOffset(localStart: string, offset: Offset, zone: string): Date {
  return new Date(addToWall(TimeZone.get(zone), parseLocal(localStart), offset, 1));
}

/**
 * Like {@link applyOffset} from an instant: `offset` × `times` after `from`, with days and weeks
 * counted in local wall-clock time of `zone` (a status nudge every 14 days stays at the same
 * local time across a daylight-saving switch).
 */
export function addOffset(from: Date, offset: Offset, zone: string, times = 1): Date {
  const tz = TimeZone.get(zone);
  return new Date(addToWall(tz, tz.toWall(from.getTime()), offset, times));
}

/** `days` local calendar days after (or before, when negative) `from`, at the same wall-clock time. */
export function addLocalDays(from: Date, days: number, zone: string): Date {
  const tz = TimeZone.get(zone);
  return new Date(tz.toInstant(tz.toWall(from.getTime()) + days * DAY_MS));
}

/**
 * The point `fraction` of the way from `a` to `b`, measured in local wall-clock time and rounded
 * to the minute. Halfway between 09:00 on two dates 18 days apart is 09:00 nine days later, also
 * when a daylight-saving switch lies in between (exact elapsed time would give 08:30 or 09:30).
 */
export function interpolateLocal(a: Date, b: Date, fraction: number, zone: string): Date {
  const tz = TimeZone.get(zone);
  const wa = tz.toWall(a.getTime());
  const wb = tz.toWall(b.getTime());
  const wall = Math.round((wa + fraction * (wb - wa)) / MINUTE_MS) * MINUTE_MS;
  return new Date(tz.toInstant(wall));
}

/* ---------- holidays ---------- */

/** Holiday types that are days off: `public` days and the `bank` days (Christmas Eve, New Year's Eve). */
const DAY_OFF_TYPES: ReadonlySet<string> = new Set(['public', 'bank']);

const holidayCalendars = new Map<string, Holidays>();
const holidayYears = new Map<string, ReadonlyMap<number, string>>();

/** The date-holidays calendar for "NO" or "NO-03" (country, optionally a state). */
function holidayCalendar(code: string): Holidays {
  let hd = holidayCalendars.get(code);
  if (!hd) {
    const [country = '', state] = code.toUpperCase().split('-');
    if (!(country in new Holidays().getCountries())) {
      throw invalidInput(`Unknown holiday calendar "${code}": use a country code such as "NO".`);
    }
    hd = state === undefined ? new Holidays(country) : new Holidays(country, state);
    holidayCalendars.set(code, hd);
  }
  return hd;
}

/**
 * The days off of one year: day index → holiday name(s). Only `public` and `bank` holidays
 * count; observances and optional days (Farsdag, Olsok, 7 June, Askeonsdag…) are working days.
 * A holiday that starts in the afternoon (New Year's Eve from 14:00) makes its whole date a
 * day off: nobody wants a nudge at 09:00 on 31 December either. Computed once per country
 * and year, for all calendars in the process.
 */
function daysOff(code: string, year: number): ReadonlyMap<number, string> {
  const key = `${code}:${year}`;
  let days = holidayYears.get(key);
  if (!days) {
    const names = new Map<number, string[]>();
    for (const h of holidayCalendar(code).getHolidays(year)) {
      if (!DAY_OFF_TYPES.has(h.type)) continue;
      const wall = parseWallDate(h.date.slice(0, 10));
      if (wall === undefined) continue;
      const day = dayIndexOf(wall);
      const list = names.get(day) ?? [];
      if (!list.includes(h.name)) list.push(h.name);
      names.set(day, list);
    }
    days = new Map([...names].map(([day, list]) => [day, list.join(' / ')]));
    holidayYears.set(key, days);
  }
  return days;
}

/* ---------- the working calendar ---------- */

/** Why an instant is not allowed for sending; a holiday wins over a weekend, a weekend over the hours. */
export interface MoveReason {
  reason: 'quiet_hours' | 'weekend' | 'holiday';
  /** The holiday's name as date-holidays gives it ("Kristi himmelfartsdag"); several joined by " / ". */
  holiday?: string;
}

/** Guard against endless searches; there is always a working day within a few days. */
const MAX_DAYS_SEARCHED = 366;

/** Parses "HH:mm" to milliseconds after midnight; "24:00" is allowed as the end. */
function parseClock(text: string, what: string, allowMidnightEnd: boolean): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const h = m ? Number(m[1]) : NaN;
  const mi = m ? Number(m[2]) : NaN;
  const ok = (h < 24 && mi < 60) || (allowMidnightEnd && h === 24 && mi === 0);
  if (!ok) throw invalidInput(`Quiet hours ${what} "${text}" is not a time like 08:00.`);
  return h * HOUR_MS + mi * MINUTE_MS;
}

/**
 * When Samla may send a prompt: inside the allowed hours [hours.start, hours.end) local time, on
 * a working day (not Saturday or Sunday when `weekends` is true, not a public holiday of the
 * `holidays` country).
 *
 * A prompt planned in quiet time is not dropped but moves to the next allowed instant: people
 * answer prompts that arrive when they are at work, and a prompt that waits a few hours still
 * does its job, while one sent at 17:00 on a Friday sinks under the weekend's messages. So
 * 17:00 on Friday moves to 08:00 on Monday, 07:00 moves to 08:00 the same day, and 09:00 on
 * Kristi himmelfartsdag (Thursday 2027-05-06) moves to 08:00 on Friday 2027-05-07: the earliest
 * allowed instant, not the same wall-clock time a day later, so that it goes out as soon as
 * work starts.
 */
export class WorkingCalendar {
  readonly zone: string;
  private readonly tz: TimeZone;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly weekends: boolean;
  private readonly holidays: string | undefined;

  /** Throws INVALID_INPUT for an unknown zone or holiday country, or hours that are not a window. */
  constructor(rules: QuietRules, zone: string) {
    this.zone = zone;
    this.tz = TimeZone.get(zone);
    this.startMs = parseClock(rules.hours.start, 'start', false);
    this.endMs = parseClock(rules.hours.end, 'end', true);
    if (this.startMs >= this.endMs) {
      throw invalidInput(`Quiet hours "${rules.hours.start}-${rules.hours.end}": the start must be before the end.`);
    }
    this.weekends = rules.weekends;
    this.holidays = rules.holidays;
    if (this.holidays !== undefined) holidayCalendar(this.holidays);
  }

  /** True when a prompt may be sent at this instant. */
  isAllowed(instant: Date): boolean {
    return this.whyNotAllowed(instant) === undefined;
  }

  /** Why a prompt may not be sent at this instant, or undefined when it may. */
  whyNotAllowed(instant: Date): MoveReason | undefined {
    const wall = this.tz.toWall(instant.getTime());
    const day = dayIndexOf(wall);
    const off = this.dayOff(day);
    if (off) return off;
    const t = timeOfDay(wall);
    return t >= this.startMs && t < this.endMs ? undefined : { reason: 'quiet_hours' };
  }

  /** The earliest allowed instant at or after `instant` (the instant itself when allowed). */
  nextAllowed(instant: Date): Date {
    const wall = this.tz.toWall(instant.getTime());
    const day = dayIndexOf(wall);
    if (this.isWorkingDayIndex(day)) {
      const t = timeOfDay(wall);
      if (t < this.startMs) return this.windowStart(day);
      if (t < this.endMs) return new Date(instant.getTime());
    }
    return this.windowStart(this.nextWorkingDayIndex(day));
  }

  /**
   * The latest allowed whole minute at or before `instant` (the instant itself when allowed):
   * the last minute of the window (15:59 for 08:00-16:00) of the same or an earlier working day.
   */
  previousAllowed(instant: Date): Date {
    if (this.isAllowed(instant)) return new Date(instant.getTime());
    const wall = this.tz.toWall(instant.getTime());
    const day = dayIndexOf(wall);
    const sameDay = this.isWorkingDayIndex(day) && timeOfDay(wall) >= this.endMs;
    return this.windowLastMinute(sameDay ? day : this.previousWorkingDayIndex(day));
  }

  /**
   * The same local wall-clock time as `instant` on the next working day after its local date,
   * clamped into the allowed hours (before the start → the start; at or after the end → the
   * last minute of the window).
   */
  sameTimeNextWorkingDay(instant: Date): Date {
    const wall = this.tz.toWall(instant.getTime());
    const day = this.nextWorkingDayIndex(dayIndexOf(wall));
    const t = Math.min(Math.max(timeOfDay(wall), this.startMs), this.endMs - MINUTE_MS);
    return new Date(this.tz.toInstant(day * DAY_MS + t));
  }

  /** True when the local date ("2027-05-07") is neither a weekend day nor a holiday. */
  isWorkingDay(localDate: string): boolean {
    return this.isWorkingDayIndex(dayIndexOf(parseDate(localDate)));
  }

  /** The name of the holiday (day off) on a local date, or undefined. */
  holiday(localDate: string): string | undefined {
    return this.holidayName(dayIndexOf(parseDate(localDate)));
  }

  /** The first working day strictly after the local date. */
  nextWorkingDay(localDate: string): string {
    return formatWallDate(this.nextWorkingDayIndex(dayIndexOf(parseDate(localDate))) * DAY_MS);
  }

  /** The last working day strictly before the local date. */
  previousWorkingDay(localDate: string): string {
    return formatWallDate(this.previousWorkingDayIndex(dayIndexOf(parseDate(localDate))) * DAY_MS);
  }

  private holidayName(day: number): string | undefined {
    return this.holidays === undefined ? undefined : daysOff(this.holidays, yearOfDay(day)).get(day);
  }

  private dayOff(day: number): MoveReason | undefined {
    const holiday = this.holidayName(day);
    if (holiday !== undefined) return { reason: 'holiday', holiday };
    const weekday = weekdayOfDay(day);
    if (this.weekends && (weekday === 0 || weekday === 6)) return { reason: 'weekend' };
    return undefined;
  }

  private isWorkingDayIndex(day: number): boolean {
    return this.dayOff(day) === undefined;
  }

  private nextWorkingDayIndex(day: number): number {
    return this.searchWorkingDay(day, 1);
  }

  private previousWorkingDayIndex(day: number): number {
    return this.searchWorkingDay(day, -1);
  }

  private searchWorkingDay(day: number, step: 1 | -1): number {
    for (let i = 1; i <= MAX_DAYS_SEARCHED; i++) {
      if (this.isWorkingDayIndex(day + i * step)) return day + i * step;
    }
    throw new SamlaError('INTERNAL', `No working day within ${MAX_DAYS_SEARCHED} days of ${formatWallDate(day * DAY_MS)}.`);
  }

  private windowStart(day: number): Date {
    return new Date(this.tz.toInstant(day * DAY_MS + this.startMs));
  }

  private windowLastMinute(day: number): Date {
    return new Date(this.tz.toInstant(day * DAY_MS + this.endMs) - MINUTE_MS);
  }
}
