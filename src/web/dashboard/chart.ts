/**
 * A municipality's status over time as an inline SVG: one row per overall state (on track, a bit
 * behind, needs help, and a row for short statuses without one), a point per status report
 * joined by a line, the gatherings as dashed lines and "now" as a solid one. Every point has a
 * tooltip (<title>) with the date and what the status said, and the chart has a text
 * alternative for screen readers.
 */
import { DateTime } from 'luxon';
import type { Gathering, Locale, NetworkDefinition, OverallState } from '../../core/model.ts';
import { gatheringSpan, gatheringStart } from '../../core/schedule.ts';
import type { Texts } from '../../core/texts.ts';
import { esc } from '../html.ts';
import type { StatusPoint } from './model.ts';

const W = 440;
const H = 150;
const LEFT = 118;
const RIGHT = 12;
const TOP = 18;
const ROW = 28;
const DAY = 24 * 3600 * 1000;

const ROWS: (OverallState | 'none')[] = ['on_track', 'a_bit_behind', 'needs_help', 'none'];
const COLOUR: Record<OverallState | 'none', string> = { on_track: 'var(--ok)', a_bit_behind: 'var(--behind)', needs_help: 'var(--help)', none: 'var(--low)' };

function day(d: Date, zone: string, locale: Locale): string {
  const dt = DateTime.fromJSDate(d, { zone });
  return locale === 'en' ? dt.setLocale('en-GB').toFormat('d LLL yyyy') : dt.toFormat('dd.MM.yyyy');
}

/** The time span every chart of a network shares: from two weeks before the first gathering to a week after the next (or now). */
export function chartSpan(def: NetworkDefinition, now: Date, next: Gathering | undefined, points: StatusPoint[]): { from: number; to: number } {
  const first = Math.min(gatheringSpan(def)?.firstStart.getTime() ?? now.getTime(), ...points.map((p) => p.at.getTime()));
  const end = Math.max(now.getTime(), next ? gatheringStart(def, next).getTime() : now.getTime());
  return { from: first - 14 * DAY, to: end + 7 * DAY };
}

export function statusChart(o: {
  def: NetworkDefinition;
  name: string;
  points: StatusPoint[];
  span: { from: number; to: number };
  now: Date;
  locale: Locale;
  texts: Texts;
}): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, key, vars);
  const zone = o.def.timezone;
  const x = (ms: number) => LEFT + ((ms - o.span.from) / (o.span.to - o.span.from)) * (W - LEFT - RIGHT);
  const y = (state: OverallState | 'none') => TOP + ROWS.indexOf(state) * ROW;
  const label = (state: OverallState | 'none') => (state === 'none' ? t('web.status_short') : t(`status.${state}`));
  const parts: string[] = [];
  for (const state of ROWS) {
    parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(state)}" y2="${y(state)}" stroke="var(--line)"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y(state) + 4}" text-anchor="end">${esc(label(state))}</text>`);
  }
  const bottom = TOP + (ROWS.length - 1) * ROW + 10;
  o.def.gatherings.forEach((g, i) => {
    const gx = x(gatheringStart(o.def, g).getTime());
    if (gx < LEFT || gx > W - RIGHT) return;
    parts.push(`<line x1="${gx}" x2="${gx}" y1="${TOP - 10}" y2="${bottom}" stroke="var(--muted)" stroke-dasharray="3 3"><title>${esc(`${g.title}, ${day(gatheringStart(o.def, g), zone, o.locale)}`)}</title></line>`);
    parts.push(`<text x="${gx + 3}" y="${TOP - 8}">${esc(t('web.dashboard_gathering_short', { n: i + 1 }))}</text>`);
  });
  const nx = x(o.now.getTime());
  parts.push(`<line x1="${nx}" x2="${nx}" y1="${TOP - 10}" y2="${bottom}" stroke="var(--accent)" stroke-width="1.5"/>`);
  parts.push(`<text x="${nx + 3}" y="${bottom + 12}" fill="var(--accent)">${esc(t('web.dashboard_now'))}</text>`);
  const rated = o.points.filter((p) => p.overall);
  if (rated.length > 1) {
    parts.push(`<polyline fill="none" stroke="var(--muted)" stroke-width="1.2" points="${rated.map((p) => `${x(p.at.getTime()).toFixed(1)},${y(p.overall!)}`).join(' ')}"/>`);
  }
  for (const p of o.points) {
    const state = p.overall ?? 'none';
    const tip = `${day(p.at, zone, o.locale)}: ${p.summary || label(state)}`;
    parts.push(`<circle cx="${x(p.at.getTime()).toFixed(1)}" cy="${y(state)}" r="5" fill="${COLOUR[state]}" stroke="#fff" stroke-width="1.5"><title>${esc(tip)}</title></circle>`);
  }
  const alt = o.points.length
    ? t('web.dashboard_chart_alt', { municipality: o.name, count: o.points.length, last: `${day(o.points.at(-1)!.at, zone, o.locale)}: ${label(o.points.at(-1)!.overall ?? 'none')}` })
    : t('web.dashboard_chart_alt_none', { municipality: o.name });
  return `<svg class="status" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(alt)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(alt)}</title>${parts.join('')}</svg>`;
}
