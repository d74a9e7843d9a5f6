/**
 * Lagging signals: what was recorded says a municipality may need support, and why. Each signal
 * carries its evidence (dates, counts, names of open tasks); there is no score. Thresholds come
 * from the network file's `lagging:` section. Pure: records and the clock are passed in.
 *
 * Sources in ../shared/domain.md ("What separates municipalities that succeed from those that lag").
 */
import { WorkingCalendar, localToInstant } from '../calendar.ts';
import type { SignalKind } from '../followUp.ts';
import type {
  CheckinAnswer,
  Municipality,
  NetworkDefinition,
  Party,
  ReflectionNote,
  StatusReport,
  SteeringMeeting,
  TaskCompletion,
} from '../model.ts';
import { gatheringEnd, gatheringStart, gatheringsAround, gatheringsByStart, isAskedToCheckIn, offsetTime, tasksSentBy } from '../schedule.ts';

export { SIGNAL_KINDS, type SignalKind } from '../followUp.ts';
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITY: Record<SignalKind, Severity> = {
  no_project_leader: 'high',
  status_stale: 'high',
  prep_incomplete: 'high',
  checkin_unanswered: 'high',
  no_steering_group: 'medium',
  steering_silent: 'medium',
  project_leader_changed: 'medium',
  rosy_gap: 'medium',
  momentum_falling: 'medium',
  unreachable: 'medium',
  steering_missing_party: 'low',
  reflection_silent: 'low',
};

/** Evidence is plain data: dates as ISO strings, counts as numbers, names as lists. */
export type Evidence = Record<string, string | number | boolean | string[] | number[] | null>;

export interface Signal {
  kind: SignalKind;
  municipality: string;
  severity: Severity;
  evidence: Evidence;
}

export interface UnreachablePerson {
  email: string;
  name?: string;
  municipality?: string;
  reason: string;
  /** The Slack workspace that has not installed Samla (reason `workspace_not_installed`). */
  workspace?: string;
  at: string;
}

/** Everything recorded about one municipality. */
export interface MunicipalityRecords {
  /** Newest first. */
  statuses: StatusReport[];
  tasks: TaskCompletion[];
  checkins: CheckinAnswer[];
  reflections: ReflectionNote[];
  steeringMeetings: SteeringMeeting[];
  leaderChanges: { at: string; from: string[]; to: string[] }[];
  unreachable: UnreachablePerson[];
}

export interface MunicipalitySignals {
  municipality: Municipality;
  signals: Signal[];
}

const DAY = 24 * 3600 * 1000;
/** A project leader change is news for this long. */
export const LEADER_CHANGE_DAYS = 90;

export function emptyRecords(): MunicipalityRecords {
  return { statuses: [], tasks: [], checkins: [], reflections: [], steeringMeetings: [], leaderChanges: [], unreachable: [] };
}

/** Whole days, rounded: 34 days and 21 hours count as 35. */
function days(ms: number): number {
  return Math.round(ms / DAY);
}

/** Every signal for every municipality, most serious municipalities first. */
export function computeSignals(def: NetworkDefinition, records: Record<string, MunicipalityRecords>, now: Date): MunicipalitySignals[] {
  const out = def.municipalities.map((m) => ({ municipality: m, signals: signalsFor(def, m, records[m.id] ?? emptyRecords(), now) }));
  return out.sort(bySeriousness);
}

export function bySeriousness(a: MunicipalitySignals, b: MunicipalitySignals): number {
  const weight = (s: MunicipalitySignals) => {
    const c = (sev: Severity) => s.signals.filter((x) => x.severity === sev).length;
    return [c('high'), c('medium'), c('low')];
  };
  const [wa, wb] = [weight(a), weight(b)];
  for (let i = 0; i < 3; i++) if (wa[i] !== wb[i]) return wb[i]! - wa[i]!;
  return a.municipality.name.localeCompare(b.municipality.name, 'nb');
}

export function signalsFor(def: NetworkDefinition, m: Municipality, r: MunicipalityRecords, now: Date): Signal[] {
  const signals: Signal[] = [];
  const add = (kind: SignalKind, evidence: Evidence) => signals.push({ kind, municipality: m.id, severity: SEVERITY[kind], evidence });
  const rules = def.lagging;
  const { last, next } = gatheringsAround(def, now);
  const first = gatheringsByStart(def)[0];
  const firstEnded = first ? gatheringEnd(def, first) <= now : false;

  // Who is there: project leader and steering group.
  const leaders = m.members.filter((p) => p.roles.includes('prosjektleder'));
  if (leaders.length === 0) {
    const others = m.members.map((p) => p.name);
    add('no_project_leader', { members: others });
  }
  const recentChange = r.leaderChanges.filter((c) => now.getTime() - Date.parse(c.at) <= LEADER_CHANGE_DAYS * DAY).at(-1);
  if (recentChange && recentChange.from.length > 0) {
    const name = (email: string) => m.members.find((p) => p.email.toLowerCase() === email)?.name ?? email;
    add('project_leader_changed', { at: recentChange.at, from: recentChange.from, to: recentChange.to.map(name) });
  }
  const steering = m.members.filter((p) => p.roles.includes('styringsgruppe'));
  if (steering.length === 0) {
    add('no_steering_group', { registered: m.members.map((p) => `${p.name} (${p.roles.join(', ')})`) });
  } else {
    const parties = new Set(steering.map((p) => p.party).filter((p): p is Party => p !== undefined));
    const missing: string[] = [];
    if (!parties.has('tillitsvalgt') && !parties.has('verneombud')) missing.push('tillitsvalgt');
    if (!parties.has('administrasjon')) missing.push('administrasjon');
    if (missing.length) add('steering_missing_party', { missing, parties: [...parties] });
  }

  // The steering group meeting: a logged meeting, or a status saying it met.
  if (steering.length > 0 && firstEnded) {
    const metDates = [
      // A meeting date counts as the end of that local day: a group that meets on the afternoon
      // of a gathering's last day has met after it.
      ...r.steeringMeetings.map((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s.date) ? localToInstant(`${s.date}T23:59`, def.timezone).getTime() : Date.parse(s.date))),
      ...r.statuses.filter((s) => s.steeringMet).map((s) => Date.parse(s.at)),
    ].filter(Number.isFinite);
    const lastMet = metDates.length ? Math.max(...metDates) : undefined;
    const since = lastMet ?? (first ? gatheringEnd(def, first).getTime() : now.getTime());
    const silentDays = days(now.getTime() - since);
    const notSinceLast = last !== undefined && (lastMet === undefined || lastMet < gatheringEnd(def, last).getTime());
    if (silentDays > rules.steering_silent_days || (notSinceLast && last !== first)) {
      add('steering_silent', {
        lastMeeting: lastMet ? new Date(lastMet).toISOString() : null,
        days: silentDays,
        // Only when it has not met since that gathering; otherwise the reason is the days since it met.
        sinceGathering: notSinceLast ? last!.title : null,
      });
    }
  }

  // Status: stale, and momentum.
  const lastStatus = r.statuses[0];
  if (firstEnded && first) {
    const ref = lastStatus ? Date.parse(lastStatus.at) : gatheringEnd(def, first).getTime();
    const staleDays = days(now.getTime() - ref);
    if (staleDays > rules.status_stale_days) {
      add('status_stale', { lastStatus: lastStatus?.at ?? null, days: staleDays, weeks: Math.floor(staleDays / 7) });
    }
  }
  if (r.statuses.length >= 3) {
    const times = r.statuses.map((s) => Date.parse(s.at)).sort((a, b) => a - b);
    const intervals = times.slice(1).map((t, i) => days(t - times[i]!));
    intervals.push(days(now.getTime() - times.at(-1)!));
    const [a, b, c] = intervals.slice(-3) as [number, number, number];
    const every = def.status.every.unit === 'w' ? def.status.every.amount * 7 : def.status.every.unit === 'd' ? def.status.every.amount : 1;
    if (a < b && b < c && c > every) add('momentum_falling', { intervals: [a, b, c] });
  }

  // Preparation before the next gathering.
  if (next) {
    const sent = tasksSentBy(def, next, now, m.members.flatMap((p) => p.roles));
    const doneIds = new Set(r.tasks.filter((c) => c.gathering === next.id && c.answer === 'done').map((c) => c.task));
    const open = sent.filter((t) => !doneIds.has(t.id));
    const pressing = open.filter((t) => offsetTime(def, next, t.due).getTime() - now.getTime() <= rules.prep_incomplete_days_before * DAY);
    if (pressing.length > 0) {
      add('prep_incomplete', {
        gathering: next.title,
        daysUntil: days(gatheringStart(def, next).getTime() - now.getTime()),
        done: sent.length - open.length,
        total: sent.length,
        open: open.map((t) => t.title),
      });
    }
    // Check-in answers, a day after the check-in went out.
    if (rules.checkin_unanswered && next.checkin) {
      // When it really went out: a check-in planned on a Sunday is sent on Monday morning.
      const checkinAt = new WorkingCalendar(def.quiet, def.timezone).nextAllowed(offsetTime(def, next, next.checkin.send));
      if (now.getTime() - checkinAt.getTime() >= DAY) {
        const asked = m.members.filter((p) => isAskedToCheckIn(next, p.roles));
        const answered = new Set(r.checkins.filter((c) => c.gathering === next.id).map((c) => c.email.toLowerCase()));
        const silent = asked.filter((p) => !answered.has(p.email.toLowerCase()));
        if (asked.length > 0 && silent.length * 2 > asked.length) {
          add('checkin_unanswered', { gathering: next.title, unanswered: silent.length, asked: asked.length, names: silent.map((p) => p.name) });
        }
      }
    }
  }

  // Reflection notes since the last gathering.
  if (last) {
    const hasGroup = m.members.some((p) => p.roles.includes('refleksjonsgruppe'));
    const lastNote = r.reflections.map((n) => Date.parse(n.at)).filter(Number.isFinite).sort((a, b) => b - a)[0];
    const ref = Math.max(lastNote ?? 0, gatheringEnd(def, last).getTime());
    const silentDays = days(now.getTime() - ref);
    if (!hasGroup || silentDays > rules.reflection_silent_days) {
      add('reflection_silent', { lastNote: lastNote ? new Date(lastNote).toISOString() : null, days: silentDays, noGroup: !hasGroup });
    }
  }

  // The rosy gap: the project leader says on track while participants say they are not prepared.
  if (lastStatus?.overall === 'on_track') {
    const prepared = def.checkin.questions.find((q) => q.id === 'prepared' && q.kind === 'choice');
    const yes = prepared?.options?.[0];
    const target = [next, last].find((g) => g && r.checkins.some((c) => c.gathering === g.id));
    if (prepared && yes && target) {
      const answers = r.checkins.filter((c) => c.gathering === target.id && c.answers[prepared.id] !== undefined);
      const notPrepared = answers.filter((c) => c.answers[prepared.id] !== yes);
      if (answers.length > 0 && notPrepared.length * 2 >= answers.length && notPrepared.length > 0) {
        add('rosy_gap', { statusAt: lastStatus.at, gathering: target.title, notPrepared: notPrepared.length, answered: answers.length });
      }
    }
  }

  if (r.unreachable.length > 0) {
    add('unreachable', { names: r.unreachable.map((u) => u.name ?? u.email), reasons: [...new Set(r.unreachable.map((u) => u.reason))] });
  }
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  return signals.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
