/**
 * Steering-group nudges with escalation. While a municipality has open signals its steering
 * group can act on, Samla asks, kindly and concretely: the project leader first (before anyone
 * else hears of it), then the steering group (in its linked channel, or DMs to its members)
 * naming its chair, then the organisers, each step after a grace period of working days. Grace
 * periods do not run, and nothing is sent, in quiet time or during the July common holiday
 * (fellesferie, ISO weeks 28-30). At most one nudge per municipality per `minIntervalDays`.
 * Pure: the history of nudges and the clock are passed in.
 */
import { DateTime } from 'luxon';
import { instantToLocalDate, type WorkingCalendar } from '../calendar.ts';
import type { DraftBlock, FormDraft, MessageDraft } from '../drafts.ts';
import { joinNames } from '../format.ts';
import type { Locale, Member, Municipality, NetworkDefinition } from '../model.ts';
import type { Texts } from '../texts.ts';
import { reasonText } from './reasons.ts';
import { NUDGE_LEVELS, type EscalationRules, type NudgeLevel, type NudgeRecord, type SignalKind } from '../followUp.ts';
import type { Signal } from './signals.ts';

export { NUDGE_LEVELS, type EscalationRules, type NudgeLevel, type NudgeRecord } from '../followUp.ts';

export const DEFAULT_ESCALATION: EscalationRules = { graceDays: 5, minIntervalDays: 7, episodeDays: 30 };

/** Signals a steering group can do something about; the rosy gap and reach problems go to organisers only. */
export const STEERING_SIGNALS: readonly SignalKind[] = [
  'no_project_leader',
  'project_leader_changed',
  'steering_missing_party',
  'steering_silent',
  'status_stale',
  'momentum_falling',
  'prep_incomplete',
  'checkin_unanswered',
  'reflection_silent',
];

export interface PlannedNudge {
  municipality: Municipality;
  level: NudgeLevel;
  signals: Signal[];
  /** For `steering`: the linked channel, when there is one; else DMs to `recipients`. */
  channel?: string;
  recipients: { email: string; name: string; locale?: Locale }[];
}

const DAY = 24 * 3600 * 1000;

/**
 * The id of a nudge: one per municipality, level and ISO week (in the network's zone), so a
 * nudge planned again by a later pass, or by another process, is the same nudge.
 */
export function nudgeId(def: NetworkDefinition, municipality: string, level: NudgeLevel, at: Date): string {
  const dt = DateTime.fromJSDate(at, { zone: def.timezone });
  return `${def.id}:nudge:${municipality}:${level}:${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}

/** True during the July common holiday (ISO weeks 28, 29 and 30) in the network's zone. */
export function isFellesferie(instant: Date, zone: string): boolean {
  const week = DateTime.fromJSDate(instant, { zone }).weekNumber;
  return week >= 28 && week <= 30;
}

/**
 * Working days that count from `from` to `to`: the local dates after `from`'s, up to and including
 * `to`'s, that are not weekends, holidays or in fellesferie. By local date, so a daylight-saving
 * switch in between neither adds nor loses a day.
 */
export function countingDaysBetween(from: Date, to: Date, calendar: WorkingCalendar): number {
  const end = instantToLocalDate(to, calendar.zone);
  let n = 0;
  for (let d = DateTime.fromISO(instantToLocalDate(from, calendar.zone)).plus({ days: 1 }); ; d = d.plus({ days: 1 })) {
    const date = d.toISODate()!;
    if (date > end) break;
    if (calendar.isWorkingDay(date) && !(d.weekNumber >= 28 && d.weekNumber <= 30)) n++;
  }
  return n;
}

/**
 * The nudge to send now for a municipality, or undefined. `history` is this municipality's
 * nudges, newest first; `steeringChannel` the linked channel if any.
 */
export function nextNudge(
  def: NetworkDefinition,
  m: Municipality,
  signals: Signal[],
  history: NudgeRecord[],
  now: Date,
  calendar: WorkingCalendar,
  rules: EscalationRules = DEFAULT_ESCALATION,
  steeringChannel?: string,
  /** Emails Samla cannot reach: asking them would fail, so the ladder goes past them. */
  unreachable: ReadonlySet<string> = new Set(),
): PlannedNudge | undefined {
  const open = signals.filter((s) => STEERING_SIGNALS.includes(s.kind));
  if (open.length === 0) return undefined;
  if (!calendar.isAllowed(now) || isFellesferie(now, def.timezone)) return undefined;
  const last = history[0];
  if (last && now.getTime() - Date.parse(last.at) < rules.minIntervalDays * DAY) return undefined;

  const inEpisode = last && now.getTime() - Date.parse(last.at) <= rules.episodeDays * DAY;
  let level: NudgeLevel;
  if (!inEpisode) {
    level = 'prosjektleder';
  } else {
    if (countingDaysBetween(new Date(last.at), now, calendar) < rules.graceDays) return undefined;
    const i = NUDGE_LEVELS.indexOf(last.level);
    if (i === NUDGE_LEVELS.length - 1) return undefined; // the organisers know; the weekly digest keeps them informed
    level = NUDGE_LEVELS[i + 1]!;
  }
  const reachable = (p: Member) => !unreachable.has(p.email.toLowerCase());
  const leaders = m.members.filter((p) => p.roles.includes('prosjektleder') && reachable(p));
  const steering = m.members.filter((p) => p.roles.includes('styringsgruppe') && reachable(p));
  if (level === 'prosjektleder' && leaders.length === 0) level = steering.length ? 'steering' : 'organiser';
  if (level === 'steering' && steering.length === 0 && !steeringChannel) level = 'organiser';
  // Nobody in the municipality could be asked first: telling the organisers that reminders went
  // unanswered would be untrue. The weekly digest already shows them what is missing.
  if (level === 'organiser' && !inEpisode) return undefined;

  const person = (p: Member) => ({ email: p.email.toLowerCase(), name: p.name, ...(p.locale ? { locale: p.locale } : m.locale ? { locale: m.locale } : {}) });
  switch (level) {
    case 'prosjektleder':
      return { municipality: m, level, signals: open, recipients: leaders.map(person) };
    case 'steering':
      return { municipality: m, level, signals: open, recipients: steering.map(person), ...(steeringChannel ? { channel: steeringChannel } : {}) };
    case 'organiser':
      return {
        municipality: m,
        level,
        signals: open,
        recipients: def.organisers.map((o) => ({ email: o.email.toLowerCase(), name: o.name, ...(o.locale ? { locale: o.locale } : {}) })),
      };
  }
}

/** One agenda item per open signal, for the steering group's next meeting. */
export function agendaItems(texts: Texts, locale: Locale, def: NetworkDefinition, signals: Signal[]): string[] {
  const t = (key: string, vars?: Record<string, string | number>) => texts.t(locale, `nudge.agenda_${key}`, vars);
  return signals.map((s) => {
    const why = reasonText(texts, locale, def, s);
    switch (s.kind) {
      case 'prep_incomplete':
        return t('prep', { gathering: String(s.evidence.gathering), why });
      case 'status_stale':
      case 'momentum_falling':
        return t('status', { why });
      case 'steering_silent':
        return t('meetings', { why });
      case 'steering_missing_party':
        return t('members', { why });
      case 'no_project_leader':
      case 'project_leader_changed':
        return t('leader', { why });
      case 'checkin_unanswered':
        return t('checkin', { gathering: String(s.evidence.gathering), why });
      default:
        return t('other', { why });
    }
  });
}

/** The nudge message for its level: short, concrete, with an agenda and a "we met" button. */
export function nudgeMessage(texts: Texts, locale: Locale, def: NetworkDefinition, n: PlannedNudge): MessageDraft {
  const t = (key: string, vars?: Record<string, string | number>) => texts.t(locale, key, vars);
  const chair = n.municipality.members.find((p) => p.chair && p.roles.includes('styringsgruppe'));
  const intro =
    n.level === 'prosjektleder'
      ? t('nudge.to_leader', { municipality: n.municipality.name })
      : n.level === 'steering'
        ? t('nudge.to_steering', { municipality: n.municipality.name, chair: chair?.name ?? t('nudge.the_chair') })
        : t('nudge.to_organiser', { municipality: n.municipality.name });
  const agenda = agendaItems(texts, locale, def, n.signals);
  const blocks: DraftBlock[] = [
    { type: 'text', text: intro },
    { type: 'header', text: t('nudge.agenda_title') },
    ...agenda.map((a, i) => ({ type: 'text' as const, text: `${i + 1}. ${a}` })),
  ];
  if (n.level !== 'organiser') {
    blocks.push({
      type: 'actions',
      actions: [{ id: 'steering.met', label: t('nudge.we_met'), style: 'primary', opensForm: true, payload: { a: 'steering.met', n: def.id, m: n.municipality.id } }],
    });
  }
  blocks.push({ type: 'context', text: t('nudge.why') });
  return { fallback: `${intro} ${agenda.join(' ')}`, blocks };
}

/** The "we met" form: the date and who attended, by party. */
export function steeringMetForm(texts: Texts, locale: Locale, def: NetworkDefinition, m: Municipality, today: string): FormDraft {
  const t = (key: string) => texts.t(locale, key);
  const members = m.members.filter((p) => p.roles.includes('styringsgruppe'));
  return {
    id: 'steering.met',
    title: t('nudge.met_title'),
    submitLabel: t('nudge.met_submit'),
    payload: { a: 'steering.met_submit', n: def.id, m: m.id },
    fields: [
      { kind: 'date', id: 'date', label: t('nudge.met_date'), initial: today },
      {
        kind: 'multi',
        id: 'attendees',
        label: t('nudge.met_attendees'),
        options: members.map((p) => ({ value: p.email.toLowerCase(), label: p.party ? `${p.name} (${p.party})` : p.name })),
        ...(members.length ? {} : { optional: true }),
      },
    ],
  };
}

export function namesOf(recipients: PlannedNudge['recipients'], locale: Locale): string {
  return joinNames(
    recipients.map((r) => r.name),
    locale,
  );
}
