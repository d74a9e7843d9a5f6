/**
 * The agenda: every prompt a network's definition makes Samla send, when, and to whom. The
 * organiser reads it (`samla agenda`) before anything goes out; the scheduler turns its items
 * into delivery jobs, using `AgendaItem.id` as the job id.
 *
 * Timing rules, all in the network's time zone:
 * - An offset relative to a gathering counts from its `starts` when negative ("-21d": three
 *   weeks before the gathering begins) and from its `ends` when positive ("+7d": a week after it
 *   is over). A reflection "+7d" after a gathering ending 2027-02-11 15:00 is 2027-02-18 15:00.
 * - Day and week offsets keep the wall-clock time across daylight-saving switches; hours and
 *   minutes are exact. Both rules, and who is asked what, live in `schedule.ts`.
 * - Every prompt then moves out of quiet time to the next allowed instant (`WorkingCalendar`):
 *   `planned` is where the offset put it, `at` where it is sent, `moved` says why they differ.
 * - A task or check-in that would thereby move to or past the start of its gathering is useless
 *   there, so it moves *back* instead, to the last allowed minute before its planned time
 *   (15:59 on the previous working day for 08:00-16:00). `moved` still gives the reason; `at`
 *   earlier than `planned` shows the direction.
 *
 * Pure: the clock, the store's facts and the window are all passed in.
 */
import { WorkingCalendar, addLocalDays, addOffset, instantToLocal, instantToLocalDate, interpolateLocal, type MoveReason } from './calendar.ts';
import { cronOccurrences, parseCron } from './cronSchedule.ts';
import { invalidInput } from './errors.ts';
import type { Gathering, MemberRole, NetworkDefinition, Offset, Role } from './model.ts';
import { normaliseEmail } from './people.ts';
import { REFLECTION_ROLES, checkinRoles, gatheringEnd, gatheringSpan, gatheringsByStart, plannedTimes, type PlannedTask } from './schedule.ts';

/**
 * What a prompt is. Every kind but `nudge` comes from the agenda; `nudge` (a steering-group
 * nudge of the escalation ladder) is planned by the scheduler from the lagging signals
 * (src/core/scheduler/nudges.ts), so it never appears in `samla agenda`.
 */
export type PromptKind =
  | 'task'
  | 'task_reminder'
  | 'checkin'
  | 'checkin_reminder'
  | 'reflection'
  | 'status_nudge'
  | 'digest'
  | 'nudge';

/**
 * One person in one role context: a municipality member (one Recipient per person and
 * municipality, with their roles there) or an organiser (no municipality, role `organiser`).
 * Items share Recipient objects and arrays: treat them as read-only.
 */
export interface Recipient {
  email: string;
  name: string;
  municipality?: string;
  roles: Role[];
}

export interface AgendaItem {
  /** Deterministic, stable across re-imports that don't change it: e.g. "agder-helse-2027:task:samling-1:forankring" or "...:status_nudge:4204:2027-03-01" */
  id: string;
  kind: PromptKind;
  network: string;
  gathering?: string; // gathering id
  task?: string; // task id
  municipality?: string; // for per-municipality items (status nudges)
  /** When it is sent (UTC), after moving out of quiet time. */
  at: Date;
  /** Local wall-clock time of `at` in the network's timezone, "YYYY-MM-DDTHH:mm". */
  local: string;
  /** When the offset put it, before the working calendar moved it; equal to `at` when not moved. */
  planned: Date;
  /** Why it moved, when it did: 'quiet_hours' | 'weekend' | 'holiday' (+ holiday name). */
  moved?: { reason: 'quiet_hours' | 'weekend' | 'holiday'; holiday?: string };
  /** For tasks and reminders: the task's due time (UTC) and local. */
  due?: Date;
  dueLocal?: string;
  recipients: Recipient[];
  title: string; // a short English/Norwegian-neutral label for operators, e.g. the task title, "Check-in: Oppstartssamling", "Weekly digest"
}

/** What the store knows that changes the agenda. */
export interface AgendaFacts {
  /** The last status report per municipality id; status nudges count from it. */
  lastStatus?: Record<string /*municipality id*/, Date>;
  /** Where between a task's send and due time its reminder goes, 0 < f < 1; default 0.5. */
  reminderFraction?: number /* default 0.5 */;
}

/** Digests run from this many days before the network's first prompt to this many days after its last gathering. */
export const DIGEST_MARGIN_DAYS = 28;
const DEFAULT_REMINDER_FRACTION = 0.5;

/**
 * Plans every prompt of a network and returns those sent in [window.from, window.to), sorted by
 * `at`, then by `id`.
 *
 * - `task`: at the gathering + `task.send`, to every member holding a role in `task.for`.
 * - `task_reminder`: `reminderFraction` (default half) of the way from the task's planned send
 *   to its due time, in local wall-clock time, to the same people (the scheduler drops those
 *   who are done). Held before the due time like a task is held before the gathering; left out
 *   when it would not come after the task itself.
 * - `checkin`: at the gathering + `checkin.send`, to project leaders, participants (`deltaker`)
 *   and everyone with a task for the gathering.
 * - `checkin_reminder`: the next working day after the check-in at the same local time (clamped
 *   into the allowed hours); left out unless it is before the gathering starts.
 * - `reflection`: at the gathering + `reflection.send`, to the reflection groups.
 * - `status_nudge`: per municipality with a project leader, to its project leader(s): every
 *   `status.every` counted from its last status (`facts.lastStatus`) or else from the end of the
 *   first gathering, while before the start of the last gathering.
 * - `digest`: at every `digest.cron` occurrence, to the organisers, from 28 days before the
 *   network's first gathering prompt (or its first gathering, if that is earlier) until 28 days
 *   after its last gathering ends; independent of `facts` and the window. Digests that
 *   quiet time moves onto the same instant are sent once (the earliest planned one is kept).
 *
 * A network of 400 municipalities and 50,000 people plans a year in a few tens of milliseconds:
 * recipients are indexed once and shared between items.
 */
export function planAgenda(
  def: NetworkDefinition,
  window: { from: Date; to: Date },
  facts: AgendaFacts = {},
): AgendaItem[] {
  const ctx = createContext(def, facts);
  const prompts = def.gatherings.flatMap((g) => gatheringItems(ctx, g));
  const all = [...prompts, ...statusNudges(ctx, window.to), ...digests(ctx, prompts)];
  const [from, to] = [window.from.getTime(), window.to.getTime()];
  return all.filter((i) => i.at.getTime() >= from && i.at.getTime() < to).sort(byTimeThenId);
}

/** Orders items by send time, then id, so equal times have a stable order. */
export function byTimeThenId(a: AgendaItem, b: AgendaItem): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/* ---------- context: calendar and recipient index, built once ---------- */

interface Context {
  def: NetworkDefinition;
  zone: string;
  calendar: WorkingCalendar;
  people: RecipientIndex;
  reminderFraction: number;
  lastStatus: Record<string, Date>;
}

function createContext(def: NetworkDefinition, facts: AgendaFacts): Context {
  const reminderFraction = facts.reminderFraction ?? DEFAULT_REMINDER_FRACTION;
  if (!(reminderFraction > 0 && reminderFraction < 1)) {
    throw invalidInput(`reminderFraction must be between 0 and 1 (exclusive), got ${reminderFraction}.`);
  }
  return {
    def,
    zone: def.timezone,
    calendar: new WorkingCalendar(def.quiet, def.timezone),
    people: new RecipientIndex(def),
    reminderFraction,
    lastStatus: facts.lastStatus ?? {},
  };
}

/** One bit per member role, so "holds any of these roles" is a single AND. */
const ROLE_BITS: Record<MemberRole, number> = {
  prosjektleder: 1,
  kontaktperson: 2,
  styringsgruppe: 4,
  refleksjonsgruppe: 8,
  deltaker: 16,
};

function roleMask(roles: readonly MemberRole[]): number {
  let mask = 0;
  for (const r of roles) mask |= ROLE_BITS[r];
  return mask;
}

/**
 * Everyone in the network as Recipients, built once: one per (person, municipality) in file
 * order, and the organisers. Lookups by role are cached, so items share arrays.
 */
class RecipientIndex {
  readonly organisers: Recipient[];
  private readonly members: { recipient: Recipient; mask: number }[] = [];
  private readonly byMask = new Map<number, Recipient[]>();
  private readonly leaders = new Map<string, Recipient[]>();

  constructor(def: NetworkDefinition) {
    this.organisers = def.organisers.map((o) => ({ email: normaliseEmail(o.email), name: o.name, roles: ['organiser'] }));
    for (const m of def.municipalities) {
      const inMunicipality = new Map<string, { recipient: Recipient; mask: number }>();
      for (const member of m.members) {
        const email = normaliseEmail(member.email);
        const known = inMunicipality.get(email);
        if (known) {
          // listed twice in one municipality: one recipient with the roles of both entries
          known.recipient.roles = [...new Set([...known.recipient.roles, ...member.roles])];
          known.mask |= roleMask(member.roles);
          continue;
        }
        const entry = {
          recipient: { email, name: member.name, municipality: m.id, roles: [...member.roles] as Role[] },
          mask: roleMask(member.roles),
        };
        inMunicipality.set(email, entry);
        this.members.push(entry);
      }
      const leaders = [...inMunicipality.values()].filter((e) => e.mask & ROLE_BITS.prosjektleder);
      if (leaders.length > 0) this.leaders.set(m.id, leaders.map((e) => e.recipient));
    }
  }

  /** Members holding any of the roles, in any municipality, in file order. */
  withAnyRole(roles: readonly MemberRole[]): Recipient[] {
    const mask = roleMask(roles);
    let list = this.byMask.get(mask);
    if (!list) {
      list = [];
      for (const m of this.members) if (m.mask & mask) list.push(m.recipient);
      this.byMask.set(mask, list);
    }
    return list;
  }

  /** The project leaders of one municipality. */
  projectLeaders(municipality: string): Recipient[] {
    return this.leaders.get(municipality) ?? [];
  }
}

/* ---------- placing a prompt in the working calendar ---------- */

interface Placement {
  at: Date;
  planned: Date;
  moved?: MoveReason;
}

/**
 * Moves `planned` to the next allowed instant. With a `limit` (a gathering's start, a task's
 * due time) that the planned time is before but the moved one would not be, it moves back to
 * the last allowed minute before the planned time instead.
 */
function place(calendar: WorkingCalendar, planned: Date, limit?: Date): Placement {
  const moved = calendar.whyNotAllowed(planned);
  if (!moved) return { at: planned, planned };
  let at = calendar.nextAllowed(planned);
  if (limit && planned < limit && at >= limit) at = calendar.previousAllowed(planned);
  return { at, planned, moved };
}

interface ItemBase {
  id: string;
  kind: PromptKind;
  title: string;
  recipients: Recipient[];
  gathering?: string;
  task?: string;
  municipality?: string;
}

function makeItem(ctx: Context, base: ItemBase, p: Placement, due?: Date): AgendaItem {
  const item: AgendaItem = {
    id: base.id,
    kind: base.kind,
    network: ctx.def.id,
    at: p.at,
    local: instantToLocal(p.at, ctx.zone),
    planned: p.planned,
    recipients: base.recipients,
    title: base.title,
  };
  if (base.gathering !== undefined) item.gathering = base.gathering;
  if (base.task !== undefined) item.task = base.task;
  if (base.municipality !== undefined) item.municipality = base.municipality;
  if (p.moved) item.moved = { ...p.moved };
  if (due) {
    item.due = due;
    item.dueLocal = instantToLocal(due, ctx.zone);
  }
  return item;
}

/* ---------- prompts tied to a gathering ---------- */

function gatheringItems(ctx: Context, g: Gathering): AgendaItem[] {
  const times = plannedTimes(ctx.def, g);
  const items = times.tasks.flatMap((t) => taskItems(ctx, g, t, times.start));
  if (times.checkin) items.push(...checkinItems(ctx, g, times.checkin, times.start));
  if (times.reflection) {
    const recipients = ctx.people.withAnyRole(REFLECTION_ROLES);
    const base = { id: `${ctx.def.id}:reflection:${g.id}`, kind: 'reflection' as const, title: `Reflection: ${g.title}` };
    items.push(makeItem(ctx, { ...base, gathering: g.id, recipients }, place(ctx.calendar, times.reflection)));
  }
  return items;
}

function taskItems(ctx: Context, g: Gathering, { task, send: planned, due }: PlannedTask, start: Date): AgendaItem[] {
  const recipients = ctx.people.withAnyRole(task.for);
  const sent = place(ctx.calendar, planned, start);
  const base = { gathering: g.id, task: task.id, recipients };
  const items = [
    makeItem(ctx, { ...base, id: `${ctx.def.id}:task:${g.id}:${task.id}`, kind: 'task', title: task.title }, sent, due),
  ];
  const reminder = place(ctx.calendar, interpolateLocal(planned, due, ctx.reminderFraction, ctx.zone), due);
  if (reminder.at > sent.at && reminder.at < due) {
    const id = `${ctx.def.id}:task_reminder:${g.id}:${task.id}`;
    items.push(makeItem(ctx, { ...base, id, kind: 'task_reminder', title: `Reminder: ${task.title}` }, reminder, due));
  }
  return items;
}

function checkinItems(ctx: Context, g: Gathering, planned: Date, start: Date): AgendaItem[] {
  const base = { gathering: g.id, recipients: ctx.people.withAnyRole(checkinRoles(g)) };
  const checkin = place(ctx.calendar, planned, start);
  const items = [
    makeItem(ctx, { ...base, id: `${ctx.def.id}:checkin:${g.id}`, kind: 'checkin', title: `Check-in: ${g.title}` }, checkin),
  ];
  const reminder = checkinReminder(ctx, checkin.at);
  if (reminder.at < start) {
    const id = `${ctx.def.id}:checkin_reminder:${g.id}`;
    items.push(makeItem(ctx, { ...base, id, kind: 'checkin_reminder', title: `Check-in reminder: ${g.title}` }, reminder));
  }
  return items;
}

/** A day after the check-in; on a day off, the next working day at the same local time. */
function checkinReminder(ctx: Context, checkinAt: Date): Placement {
  const planned = addLocalDays(checkinAt, 1, ctx.zone);
  const moved = ctx.calendar.whyNotAllowed(planned);
  if (!moved) return { at: planned, planned };
  return { at: ctx.calendar.sameTimeNextWorkingDay(checkinAt), planned, moved };
}

/* ---------- status nudges ---------- */

function statusNudges(ctx: Context, until: Date): AgendaItem[] {
  const span = gatheringSpan(ctx.def);
  if (!span) return [];
  const firstEnd = gatheringEnd(ctx.def, gatheringsByStart(ctx.def)[0]!);
  const stop = new Date(Math.min(span.lastStart.getTime(), until.getTime()));
  const every: Offset = { ...ctx.def.status.every, sign: 1 };
  if (!(every.amount > 0)) throw invalidInput(`status.every must be a positive duration, got "${every.text}".`);

  const schedules = new Map<number, Placement[]>();
  const items: AgendaItem[] = [];
  for (const m of ctx.def.municipalities) {
    const recipients = ctx.people.projectLeaders(m.id);
    if (recipients.length === 0) continue;
    const base = ctx.lastStatus[m.id] ?? firstEnd;
    let schedule = schedules.get(base.getTime());
    if (!schedule) {
      schedule = nudgeSchedule(ctx, base, every, stop);
      schedules.set(base.getTime(), schedule);
    }
    for (const p of schedule) {
      const id = `${ctx.def.id}:status_nudge:${m.id}:${nudgeKey(ctx, p.planned, every)}`;
      items.push(makeItem(ctx, { id, kind: 'status_nudge', title: `Status nudge: ${m.name}`, municipality: m.id, recipients }, p));
    }
  }
  return items;
}

/** base + every, base + 2 × every, … while before `stop`, each placed in the working calendar. */
function nudgeSchedule(ctx: Context, base: Date, every: Offset, stop: Date): Placement[] {
  const out: Placement[] = [];
  for (let k = 1; ; k++) {
    const planned = addOffset(base, every, ctx.zone, k);
    if (planned >= stop) return out;
    out.push(place(ctx.calendar, planned));
  }
}

/** The local date of a nudge, or its local date-time when nudges come more often than daily. */
function nudgeKey(ctx: Context, planned: Date, every: Offset): string {
  return every.unit === 'd' || every.unit === 'w' ? instantToLocalDate(planned, ctx.zone) : instantToLocal(planned, ctx.zone);
}

/* ---------- digests ---------- */

function digests(ctx: Context, prompts: AgendaItem[]): AgendaItem[] {
  const span = gatheringSpan(ctx.def);
  if (!span) return [];
  const firstPrompt = new Date(Math.min(span.firstStart.getTime(), ...prompts.map((i) => i.at.getTime())));
  const lastEnd = span.lastEnd;
  const from = addLocalDays(firstPrompt, -DIGEST_MARGIN_DAYS, ctx.zone);
  const to = addLocalDays(lastEnd, DIGEST_MARGIN_DAYS, ctx.zone);

  const cron = parseCron(ctx.def.digest.cron);
  const recipients = ctx.people.organisers;
  const sentAt = new Set<number>();
  const items: AgendaItem[] = [];
  for (const planned of cronOccurrences(cron, ctx.zone, from, to)) {
    const p = place(ctx.calendar, planned);
    if (sentAt.has(p.at.getTime())) continue;
    sentAt.add(p.at.getTime());
    const id = `${ctx.def.id}:digest:${instantToLocal(planned, ctx.zone)}`;
    items.push(makeItem(ctx, { id, kind: 'digest', title: 'Digest', recipients }, p));
  }
  return items;
}
