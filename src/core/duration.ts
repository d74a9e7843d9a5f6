/**
 * Durations relative to a gathering, as the network file writes them: "-14d", "+7d", "-2h",
 * "-30m", "2w". See `Offset` in model.ts for what each unit means on the calendar.
 */
import type { Offset } from './model.ts';

const OFFSET = /^([+-]?)(\d{1,5})([wdhm])$/;

const MINUTES_PER_UNIT: Record<Offset['unit'], number> = { w: 7 * 24 * 60, d: 24 * 60, h: 60, m: 1 };

/**
 * Reads a duration like "-14d", "+7d", "-2h", "-30m", "2w" or "14d": an optional sign (none
 * means +), a whole number of at most five digits and one lower-case unit, w (weeks), d (days),
 * h (hours) or m (minutes). Surrounding spaces are ignored; the trimmed text is kept in `text`
 * so an export writes it back as it was written. Returns undefined for anything else
 * ("-5x", "1.5d", "-5", "5 d", "5D").
 */
export function parseOffset(text: string): Offset | undefined {
  const trimmed = text.trim();
  const match = OFFSET.exec(trimmed);
  if (!match) return undefined;
  const [, sign, amount, unit] = match;
  return {
    text: trimmed,
    sign: sign === '-' ? -1 : 1,
    amount: Number(amount),
    unit: unit as Offset['unit'],
  };
}

/** The duration as it was written in the file ("-14d", "+7d", "14d"). */
export function formatOffset(o: Offset): string {
  return o.text;
}

/**
 * The signed length in minutes, counting a day as 24 hours and a week as 7 days. Good for
 * comparing and ordering offsets ("is send before due?"); not for placing them on a calendar,
 * where days keep the wall-clock time across a daylight-saving switch.
 */
export function offsetMinutes(o: Offset): number {
  // `+ 0` turns -0 into 0, so "-0d" and "0d" compare equal with Object.is as well.
  return o.sign * o.amount * MINUTES_PER_UNIT[o.unit] + 0;
}
