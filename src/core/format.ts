/**
 * Dates and times as people read them, in their language and the network's time zone:
 * "onsdag 10. februar kl. 09.00", "Wednesday 10 February at 09:00".
 */
import { DateTime } from 'luxon';
import type { Locale } from './model.ts';

const LUXON_LOCALE: Record<Locale, string> = { nb: 'nb', nn: 'nn', en: 'en-GB' };

export function formatWhen(d: Date, zone: string, locale: Locale): string {
  const dt = DateTime.fromJSDate(d, { zone }).setLocale(LUXON_LOCALE[locale]);
  return locale === 'en' ? dt.toFormat("cccc d MMMM 'at' HH:mm") : dt.toFormat("cccc d. MMMM 'kl.' HH.mm");
}

export function formatDay(d: Date, zone: string, locale: Locale): string {
  const dt = DateTime.fromJSDate(d, { zone }).setLocale(LUXON_LOCALE[locale]);
  return locale === 'en' ? dt.toFormat('cccc d MMMM') : dt.toFormat('cccc d. MMMM');
}

/** "10.02.2027 09.00" / "10 Feb 2027 09:00": compact, for lists. */
export function formatShort(d: Date, zone: string, locale: Locale): string {
  const dt = DateTime.fromJSDate(d, { zone }).setLocale(LUXON_LOCALE[locale]);
  return locale === 'en' ? dt.toFormat('d LLL yyyy HH:mm') : dt.toFormat('dd.MM.yyyy HH.mm');
}

/** Joins names as people write lists: "A, B og C" / "A, B and C". */
export function joinNames(names: string[], locale: Locale): string {
  if (names.length <= 1) return names.join('');
  const and = locale === 'en' ? 'and' : 'og';
  return `${names.slice(0, -1).join(', ')} ${and} ${names.at(-1)}`;
}
