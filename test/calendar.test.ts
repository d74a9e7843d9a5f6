import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  WorkingCalendar,
  addOffset,
  applyOffset,
  instantToLocal,
  interpolateLocal,
  localToInstant,
} from '../src/core/calendar.ts';
import { cronOccurrences, parseCron } from '../src/core/cronSchedule.ts';
import { isSamlaError } from '../src/core/errors.ts';
import type { QuietRules } from '../src/core/model.ts';
import { offset } from './helpers/exampleNetwork.ts';

const OSLO = 'Europe/Oslo';
const NO_RULES: QuietRules = { hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true };
const cal = new WorkingCalendar(NO_RULES, OSLO);

/** Local Oslo time → instant, for readable tests. */
const at = (local: string): Date => localToInstant(local, OSLO);
const local = (d: Date): string => instantToLocal(d, OSLO);

function expectInvalidInput(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isSamlaError(e) && e.code).toBe('INVALID_INPUT');
    return;
  }
  throw new Error('expected an INVALID_INPUT error');
}

describe('local times', () => {
  it('converts local wall-clock time to UTC and back, in winter and in summer', () => {
    expect(at('2027-02-10T09:00').toISOString()).toBe('2027-02-10T08:00:00.000Z');
    expect(at('2027-06-10T09:00').toISOString()).toBe('2027-06-10T07:00:00.000Z');
    expect(local(new Date('2027-06-10T07:00:00Z'))).toBe('2027-06-10T09:00');
  });

  it('gives minutes precision, cutting seconds off', () => {
    expect(at('2027-02-10T09:00:30').toISOString()).toBe('2027-02-10T08:00:30.000Z');
    expect(local(new Date('2027-02-10T08:00:59.999Z'))).toBe('2027-02-10T09:00');
  });

  it('moves a time in the spring-forward gap forward, and takes the first of a doubled autumn time', () => {
    expect(local(at('2027-03-28T02:30'))).toBe('2027-03-28T03:30');
    expect(at('2027-10-31T02:30').toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(local(new Date('2027-10-31T01:30:00Z'))).toBe('2027-10-31T02:30');
  });

  it('rejects malformed times and unknown zones with INVALID_INPUT', () => {
    expectInvalidInput(() => localToInstant('2027-02-30T09:00', OSLO));
    expectInvalidInput(() => localToInstant('10.02.2027 09:00', OSLO));
    expectInvalidInput(() => localToInstant('2027-02-10T09:00', 'Europe/Atlantis'));
  });
});

describe('applyOffset', () => {
  it('keeps 09:00 local for -21d across the switch to summer time (2027-03-28)', () => {
    const gathering = at('2027-04-07T09:00');
    const task = applyOffset('2027-04-07T09:00', offset('-21d'), OSLO);
    expect(local(task)).toBe('2027-03-17T09:00');
    expect(task.toISOString()).toBe('2027-03-17T08:00:00.000Z');
    expect(gathering.toISOString()).toBe('2027-04-07T07:00:00.000Z');
    expect(gathering.getTime() - task.getTime()).toBe((21 * 24 - 1) * 3600_000);
  });

  it('keeps 09:00 local for -7d across the switch back to winter time (2027-10-31)', () => {
    const task = applyOffset('2027-11-03T09:00', offset('-7d'), OSLO);
    expect(local(task)).toBe('2027-10-27T09:00');
    expect(task.toISOString()).toBe('2027-10-27T07:00:00.000Z');
  });

  it('counts weeks like 7 days and positive offsets forward', () => {
    expect(local(applyOffset('2027-03-20T10:00', offset('+2w'), OSLO))).toBe('2027-04-03T10:00');
    expect(local(applyOffset('2027-02-11T15:00', offset('+7d'), OSLO))).toBe('2027-02-18T15:00');
  });

  it('counts hours and minutes as exact elapsed time, so the wall clock jumps with DST', () => {
    expect(local(applyOffset('2027-03-28T01:00', offset('+2h'), OSLO))).toBe('2027-03-28T04:00');
    expect(local(applyOffset('2027-10-31T04:00', offset('-3h'), OSLO))).toBe('2027-10-31T02:00');
    expect(local(applyOffset('2027-02-10T09:00', offset('-30m'), OSLO))).toBe('2027-02-10T08:30');
  });

  it('moves a day offset that lands in the spring-forward gap forward by the gap, as luxon does', () => {
    const d = applyOffset('2027-03-27T02:30', offset('+1d'), OSLO);
    expect(local(d)).toBe('2027-03-28T03:30');
    const lux = DateTime.fromISO('2027-03-27T02:30', { zone: OSLO }).plus({ days: 1 });
    expect(d.getTime()).toBe(lux.toMillis());
  });

  it('agrees with luxon plus({ days }) for any time outside the switching hours', () => {
    const times = fc.record({
      day: fc.integer({ min: 0, max: 3 * 365 }),
      minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
      days: fc.integer({ min: -60, max: 60 }),
    });
    fc.assert(
      fc.property(times, ({ day, minute, days }) => {
        const start = DateTime.fromObject({ year: 2026, month: 1, day: 1 }, { zone: 'UTC' })
          .plus({ days: day, minutes: minute })
          .toFormat("yyyy-MM-dd'T'HH:mm");
        const hour = Math.floor(minute / 60);
        fc.pre(hour !== 2); // 02:00-03:00 is skipped or doubled on switch days; covered above
        const text = `${days < 0 ? '-' : '+'}${Math.abs(days)}d`;
        const ours = applyOffset(start, offset(text), OSLO).getTime();
        const luxon = DateTime.fromISO(start, { zone: OSLO }).plus({ days }).toMillis();
        expect(ours).toBe(luxon);
      }),
      { numRuns: 500 },
    );
  });

  it('adds offsets to an instant, n times, keeping wall-clock time for days', () => {
    const base = at('2027-03-11T15:00');
    expect(local(addOffset(base, offset('14d'), OSLO, 2))).toBe('2027-04-08T15:00');
  });

  it('interpolates in local wall-clock time, so halfway across a DST switch keeps 09:00', () => {
    const mid = interpolateLocal(at('2027-03-20T09:00'), at('2027-04-07T09:00'), 0.5, OSLO);
    expect(local(mid)).toBe('2027-03-29T09:00');
  });
});

describe('WorkingCalendar', () => {
  it('allows [08:00, 16:00) on working days', () => {
    expect(cal.isAllowed(at('2027-02-10T08:00'))).toBe(true);
    expect(cal.isAllowed(at('2027-02-10T15:59'))).toBe(true);
    expect(cal.isAllowed(at('2027-02-10T16:00'))).toBe(false);
    expect(cal.isAllowed(at('2027-02-10T07:59'))).toBe(false);
  });

  it('leaves an allowed instant where it is', () => {
    expect(local(cal.nextAllowed(at('2027-02-10T10:17')))).toBe('2027-02-10T10:17');
    expect(cal.whyNotAllowed(at('2027-02-10T10:17'))).toBeUndefined();
  });

  it('moves 17:00 to 08:00 the next day and 07:00 to 08:00 the same day (quiet hours)', () => {
    expect(local(cal.nextAllowed(at('2027-02-09T17:00')))).toBe('2027-02-10T08:00');
    expect(local(cal.nextAllowed(at('2027-02-10T07:00')))).toBe('2027-02-10T08:00');
    expect(cal.whyNotAllowed(at('2027-02-09T17:00'))).toEqual({ reason: 'quiet_hours' });
  });

  it('moves 17:00 on a Friday and anything on Saturday to Monday 08:00', () => {
    expect(local(cal.nextAllowed(at('2027-02-12T17:00')))).toBe('2027-02-15T08:00');
    expect(local(cal.nextAllowed(at('2027-02-13T09:00')))).toBe('2027-02-15T08:00');
    expect(cal.whyNotAllowed(at('2027-02-13T09:00'))).toEqual({ reason: 'weekend' });
  });

  it('moves 09:00 on Kristi himmelfartsdag (2027-05-06) to 08:00 on Friday 2027-05-07', () => {
    expect(local(cal.nextAllowed(at('2027-05-06T09:00')))).toBe('2027-05-07T08:00');
    expect(cal.whyNotAllowed(at('2027-05-06T09:00'))).toEqual({ reason: 'holiday', holiday: 'Kristi himmelfartsdag' });
  });

  it('treats Easter 2027-03-25..29 as days off, and lands in summer time after it', () => {
    for (const d of ['2027-03-25', '2027-03-26', '2027-03-29']) expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.holiday('2027-03-26')).toBe('Langfredag');
    expect(cal.isWorkingDay('2027-03-24')).toBe(true);
    const after = cal.nextAllowed(at('2027-03-24T16:30'));
    expect(local(after)).toBe('2027-03-30T08:00');
    expect(after.toISOString()).toBe('2027-03-30T06:00:00.000Z');
  });

  it('treats 17 May and 1 May as days off, naming both holidays on 17 May 2027', () => {
    expect(cal.isWorkingDay('2027-05-17')).toBe(false);
    expect(cal.holiday('2027-05-17')).toContain('Grunnlovsdagen');
    expect(cal.holiday('2027-05-17')).toContain('Andre pinsedag');
    expect(local(cal.nextAllowed(at('2027-05-14T16:00')))).toBe('2027-05-18T08:00');
  });

  it('does not treat observances and optional days as days off', () => {
    const noWeekends = new WorkingCalendar({ ...NO_RULES, weekends: false }, OSLO);
    // Farsdag (always a Sunday), Askeonsdag, 7 June (Monday), Olsok (optional), Sankthansaften
    for (const d of ['2027-11-14', '2027-02-10', '2027-06-07', '2027-07-29', '2027-06-23']) {
      expect(noWeekends.isWorkingDay(d)).toBe(true);
      expect(noWeekends.holiday(d)).toBeUndefined();
    }
    expect(cal.isWorkingDay('2027-06-07')).toBe(true);
  });

  it('treats Christmas Eve and all of New Year\'s Eve as days off', () => {
    expect(cal.whyNotAllowed(at('2027-12-24T09:00'))).toEqual({ reason: 'holiday', holiday: 'Julaften' });
    expect(cal.whyNotAllowed(at('2027-12-31T09:00'))).toEqual({ reason: 'holiday', holiday: 'Nyttårsaften' });
    expect(local(cal.nextAllowed(at('2027-12-23T16:00')))).toBe('2027-12-27T08:00');
    expect(local(cal.nextAllowed(at('2027-12-30T16:00')))).toBe('2028-01-03T08:00');
  });

  it('knows holidays of other years (Skjærtorsdag 2028 is 13 April)', () => {
    expect(cal.holiday('2028-04-13')).toBe('Skjærtorsdag');
    expect(cal.isWorkingDay('2027-04-13')).toBe(true);
  });

  it('has no holidays when none are configured', () => {
    const plain = new WorkingCalendar({ hours: { start: '08:00', end: '16:00' }, weekends: true }, OSLO);
    expect(plain.isWorkingDay('2027-05-06')).toBe(true);
    expect(plain.isWorkingDay('2027-05-08')).toBe(false);
  });

  it('finds the next and previous working days', () => {
    expect(cal.nextWorkingDay('2027-05-05')).toBe('2027-05-07');
    expect(cal.nextWorkingDay('2027-03-24')).toBe('2027-03-30');
    expect(cal.previousWorkingDay('2027-03-30')).toBe('2027-03-24');
  });

  it('finds the last allowed minute before a quiet time', () => {
    expect(local(cal.previousAllowed(at('2027-02-07T09:00')))).toBe('2027-02-05T15:59');
    expect(local(cal.previousAllowed(at('2027-02-08T07:00')))).toBe('2027-02-05T15:59');
    expect(local(cal.previousAllowed(at('2027-02-08T18:00')))).toBe('2027-02-08T15:59');
    expect(local(cal.previousAllowed(at('2027-02-08T10:00')))).toBe('2027-02-08T10:00');
  });

  it('puts a time on the next working day, clamped into the hours', () => {
    expect(local(cal.sameTimeNextWorkingDay(at('2027-02-12T10:30')))).toBe('2027-02-15T10:30');
    expect(local(cal.sameTimeNextWorkingDay(at('2027-02-12T06:00')))).toBe('2027-02-15T08:00');
    expect(local(cal.sameTimeNextWorkingDay(at('2027-02-12T20:00')))).toBe('2027-02-15T15:59');
  });

  it('rejects bad hours and unknown holiday countries', () => {
    expectInvalidInput(() => new WorkingCalendar({ ...NO_RULES, hours: { start: '16:00', end: '08:00' } }, OSLO));
    expectInvalidInput(() => new WorkingCalendar({ ...NO_RULES, hours: { start: '8', end: '16:00' } }, OSLO));
    expectInvalidInput(() => new WorkingCalendar({ ...NO_RULES, holidays: 'XX' }, OSLO));
  });

});

describe('cron', () => {
  const occ = (expr: string, from: string, to: string) =>
    cronOccurrences(expr, OSLO, at(from), at(to)).map((d) => local(d));

  it('fires on Mondays at 08:00 local, across both DST switches', () => {
    expect(occ('0 8 * * 1', '2027-03-20T00:00', '2027-04-06T00:00')).toEqual([
      '2027-03-22T08:00',
      '2027-03-29T08:00',
      '2027-04-05T08:00',
    ]);
    const utc = cronOccurrences('0 8 * * 1', OSLO, at('2027-10-24T00:00'), at('2027-11-02T00:00'));
    expect(utc.map((d) => d.toISOString())).toEqual(['2027-10-25T06:00:00.000Z', '2027-11-01T07:00:00.000Z']);
  });

  it('supports lists, ranges, steps and day 7 as Sunday', () => {
    expect(occ('*/20 9-10 * * 7', '2027-02-07T00:00', '2027-02-08T00:00')).toEqual([
      '2027-02-07T09:00',
      '2027-02-07T09:20',
      '2027-02-07T09:40',
      '2027-02-07T10:00',
      '2027-02-07T10:20',
      '2027-02-07T10:40',
    ]);
    expect(occ('30 12 1,15 * *', '2027-01-01T00:00', '2027-02-01T00:00')).toEqual(['2027-01-01T12:30', '2027-01-15T12:30']);
    expect(parseCron('0-50/20 * * * *').fields.minute.values).toEqual([0, 20, 40]);
  });

  it('matches either day field when both are restricted, both when one is *', () => {
    // 13th of the month OR a Friday, in February 2027 (the 13th is a Saturday)
    expect(occ('0 9 13 * 5', '2027-02-01T00:00', '2027-03-01T00:00')).toEqual([
      '2027-02-05T09:00',
      '2027-02-12T09:00',
      '2027-02-13T09:00',
      '2027-02-19T09:00',
      '2027-02-26T09:00',
    ]);
    // */10 counts as unrestricted: the 1st, 11th, 21st or 31st AND a Friday
    expect(occ('0 9 */10 * 5', '2027-01-01T00:00', '2027-03-01T00:00')).toEqual(['2027-01-01T09:00']);
  });

  it('fires a time in the spring gap once, after the switch', () => {
    expect(occ('30 2 * * *', '2027-03-27T00:00', '2027-03-29T00:00')).toEqual(['2027-03-27T02:30', '2027-03-28T03:30']);
    expect(occ('30 2 * * *', '2027-10-30T12:00', '2027-11-01T00:00')).toEqual(['2027-10-31T02:30']);
  });

  it('fires each wall-clock time of the autumn switch day once, even with * hours', () => {
    const hourly = occ('0 * * * *', '2027-10-31T00:00', '2027-11-01T00:00');
    expect(hourly).toHaveLength(24);
    expect(new Set(hourly).size).toBe(24);
    expect(hourly.slice(1, 4)).toEqual(['2027-10-31T01:00', '2027-10-31T02:00', '2027-10-31T03:00']);
  });

  it('rejects malformed expressions, naming the field', () => {
    expectInvalidInput(() => parseCron('0 8 * *'));
    expectInvalidInput(() => parseCron('60 8 * * 1'));
    expectInvalidInput(() => parseCron('0 8 * * 1-8'));
    expectInvalidInput(() => parseCron('0 8 * * 5-1'));
    expectInvalidInput(() => parseCron('0 8 * * */0'));
    expectInvalidInput(() => parseCron('5/15 8 * * 1'));
    expectInvalidInput(() => parseCron('0 8 * * MON'));
    expect(() => parseCron('0 25 * * *')).toThrow(/hour/);
  });
});
