/**
 * Wall-clock arithmetic and time-zone conversion, the small and fast primitives under
 * `calendar.ts`.
 *
 * A *wall* value is a local date-time encoded as the milliseconds it would have in UTC: the
 * local time "2027-02-10T09:00" is `Date.UTC(2027, 1, 10, 9, 0)`. Wall values have no
 * daylight-saving time, so adding days to one is plain calendar arithmetic; a {@link TimeZone}
 * converts between wall values and real instants.
 *
 * Why not luxon for every conversion: a luxon `DateTime` costs microseconds to build, and an
 * agenda for a large network converts tens of thousands of times; luxon also resolves a local
 * time that occurs twice (the autumn switch) by guessing from the *current* offset, so the
 * answer would depend on the day the code runs. Here the zone's offsets come from luxon's
 * `IANAZone` (cached), and ambiguity is resolved by a fixed rule (see {@link TimeZone.toInstant}).
 */
import { IANAZone } from 'luxon';
import { invalidInput } from './errors.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Offsets are looked up per quarter of an hour: every modern zone changes offset on one. */
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const OFFSET_CACHE_LIMIT = 200_000;

/** Builds a wall value, or undefined when a field is out of range (2027-02-30, 25:00). */
function wallFromFields(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | undefined {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  return same ? wall : undefined;
}

/** Parses "YYYY-MM-DDTHH:mm" or "YYYY-MM-DDTHH:mm:ss" to a wall value; undefined if invalid. */
export function parseWallDateTime(text: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  return wallFromFields(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]);
}

/** Parses "YYYY-MM-DD" to the wall value of its midnight; undefined if invalid. */
export function parseWallDate(text: string): number | undefined {
  const m = LOCAL_DATE.exec(text);
  if (!m) return undefined;
  return wallFromFields(+m[1]!, +m[2]!, +m[3]!);
}

/** "YYYY-MM-DDTHH:mm"; seconds and milliseconds are cut off. */
export function formatWallDateTime(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16);
}

/** "YYYY-MM-DD". */
export function formatWallDate(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a wall value: one number per local date. */
export function dayIndexOf(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

/** Milliseconds since local midnight. */
export function timeOfDay(wall: number): number {
  return wall - dayIndexOf(wall) * DAY_MS;
}

/** 0 = Sunday … 6 = Saturday, as in `Date.getDay` and cron. 1970-01-01 was a Thursday. */
export function weekdayOfDay(dayIndex: number): number {
  return (((dayIndex + 4) % 7) + 7) % 7;
}

/** The calendar year of a day index. */
export function yearOfDay(dayIndex: number): number {
  return new Date(dayIndex * DAY_MS).getUTCFullYear();
}

/** An IANA time zone that converts between instants and wall values. Get one with {@link TimeZone.get}. */
export class TimeZone {
  private static readonly zones = new Map<string, TimeZone>();

  /** The zone named `name` ("Europe/Oslo"); throws INVALID_INPUT for an unknown name. */
  static get(name: string): TimeZone {
    let zone = TimeZone.zones.get(name);
    if (!zone) {
      if (!IANAZone.isValidZone(name)) {
        throw invalidInput(`Unknown time zone "${name}": use an IANA name such as "Europe/Oslo".`);
      }
      zone = new TimeZone(name);
      TimeZone.zones.set(name, zone);
    }
    return zone;
  }

  readonly name: string;
  private readonly iana: IANAZone;
  private readonly offsets = new Map<number, number>();

  private constructor(name: string) {
    this.name = name;
    this.iana = IANAZone.create(name) as IANAZone;
  }

  /** The zone's UTC offset at the instant `ts`, in milliseconds (+3600000 for CET). */
  offsetAt(ts: number): number {
    const bucket = Math.floor(ts / OFFSET_BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      if (this.offsets.size >= OFFSET_CACHE_LIMIT) this.offsets.clear();
      offset = this.iana.offset(bucket * OFFSET_BUCKET_MS) * MINUTE_MS;
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The local wall value of the instant `ts`. */
  toWall(ts: number): number {
    return ts + this.offsetAt(ts);
  }

  /**
   * The instant of a local wall value. Two local times need a rule, the same as
   * `Temporal`'s "compatible" disambiguation:
   * - a time in the spring-forward gap (02:30 on the last Sunday of March in Europe/Oslo)
   *   does not exist; it moves forward by the length of the gap (to 03:30 summer time);
   * - a time in the autumn overlap (02:30 on the last Sunday of October) occurs twice; the
   *   earlier instant (still summer time, 00:30Z) is chosen.
   */
  toInstant(wall: number): number {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const early = wall - before;
    const late = wall - after;
    const earlyOk = this.offsetAt(early) === before;
    const lateOk = this.offsetAt(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late);
    if (earlyOk) return early;
    if (lateOk) return late;
    // In the gap: read the wall time with the offset from before the switch, which lands
    // after the switch, as much later as the gap is long.
    return early;
  }
}
