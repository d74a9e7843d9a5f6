/**
 * The weekly digest for organisers, in its simple form: how many municipalities, how fresh each
 * one's status is, and how much of the preparation for the next gathering is done (per
 * municipality and across the network). Counted from the store when it is delivered, so it is
 * never stale. The lagging rules (which municipalities need attention, and why) build on it.
 *
 * Preparation counts the tasks of the next gathering that have been sent (their send time has
 * passed): for each municipality, every member holding a role the task is for is one
 * assignment, and an assignment is done when that person answered "done".
 */
import type { DraftBlock, MessageDraft } from '../drafts.ts';
import { formatDay, formatShort, formatWhen } from '../format.ts';
import type { Gathering, Locale, Municipality, NetworkDefinition, TaskCompletion } from '../model.ts';
import type { JourneyContext } from '../journeys/context.ts';
import { nextGatheringOf } from '../journeys/overview.ts';
import { gatheringStart, offsetFrom } from '../journeys/tasks.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Slack shows at most 10 fields per block; longer lists get more blocks. */
const FACTS_PER_BLOCK = 10;

/** Assignments and how many are done, for one municipality or the whole network. */
export interface Preparation {
  done: number;
  total: number;
}

/** The digest figures, also useful on their own (tests, an organiser's dashboard). */
export interface DigestFigures {
  municipalities: number;
  next?: Gathering;
  perMunicipality: { municipality: Municipality; lastStatus?: Date; preparation: Preparation }[];
  preparation: Preparation;
}

export async function digestFigures(ctx: JourneyContext, def: NetworkDefinition, now: Date): Promise<DigestFigures> {
  const next = nextGatheringOf(def, now);
  const sentTasks = next ? next.tasks.filter((t) => offsetFrom(def, next, t.send) <= now) : [];
  const answers: TaskCompletion[] = next && sentTasks.length ? await ctx.store.listTaskCompletions(def.id, next.id) : [];
  const done = new Set(answers.filter((a) => a.answer === 'done').map((a) => `${a.task}|${a.municipality}|${a.email.toLowerCase()}`));
  const statuses = await Promise.all(def.municipalities.map((m) => ctx.store.listStatus(def.id, m.id, 1)));
  const total: Preparation = { done: 0, total: 0 };
  const perMunicipality = def.municipalities.map((m, i) => {
    const preparation: Preparation = { done: 0, total: 0 };
    for (const task of sentTasks) {
      const emails = new Set(m.members.filter((p) => p.roles.some((r) => task.for.includes(r))).map((p) => p.email.toLowerCase()));
      for (const email of emails) {
        preparation.total++;
        if (done.has(`${task.id}|${m.id}|${email}`)) preparation.done++;
      }
    }
    total.done += preparation.done;
    total.total += preparation.total;
    const at = statuses[i]?.[0]?.at;
    return { municipality: m, ...(at ? { lastStatus: new Date(at) } : {}), preparation };
  });
  return { municipalities: def.municipalities.length, ...(next ? { next } : {}), perMunicipality, preparation: total };
}

/** The digest message for an organiser in their language. */
export async function digestMessage(ctx: JourneyContext, def: NetworkDefinition, locale: Locale, now: Date): Promise<MessageDraft> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(locale, key, vars);
  const f = await digestFigures(ctx, def, now);
  const title = t('scheduler.digest_title', { network: def.name, date: formatDay(now, def.timezone, locale) });
  const summary = f.next
    ? t('scheduler.digest_summary', { municipalities: f.municipalities, gathering: f.next.title, date: formatWhen(gatheringStart(def, f.next), def.timezone, locale) })
    : t('scheduler.digest_summary_no_gathering', { municipalities: f.municipalities });
  const facts = f.perMunicipality.map((row) => ({
    label: row.municipality.name,
    value: [statusText(t, row.lastStatus, def.timezone, locale, now), prepText(t, f.next, row.preparation)].join(' · '),
  }));
  const blocks: DraftBlock[] = [
    { type: 'header', text: title },
    { type: 'text', text: summary },
  ];
  for (let i = 0; i < facts.length; i += FACTS_PER_BLOCK) blocks.push({ type: 'facts', facts: facts.slice(i, i + FACTS_PER_BLOCK) });
  if (f.preparation.total > 0) {
    const percent = Math.round((100 * f.preparation.done) / f.preparation.total);
    blocks.push({ type: 'context', text: t('scheduler.digest_prep_total', { percent, done: f.preparation.done, total: f.preparation.total }) });
  }
  return { fallback: `${title}. ${summary}`, blocks };
}

type T = (key: string, vars?: Record<string, string | number>) => string;

function statusText(t: T, last: Date | undefined, zone: string, locale: Locale, now: Date): string {
  if (!last) return t('scheduler.digest_status_none');
  const days = Math.floor((now.getTime() - last.getTime()) / DAY_MS);
  if (days < 1) return t('scheduler.digest_status_today');
  return t('scheduler.digest_status', { date: formatShort(last, zone, locale), days });
}

function prepText(t: T, next: Gathering | undefined, p: Preparation): string {
  if (!next) return t('scheduler.digest_prep_none');
  if (p.total === 0) return t('scheduler.digest_prep_none');
  return t('scheduler.digest_prep', { gathering: next.title, done: p.done, total: p.total });
}
