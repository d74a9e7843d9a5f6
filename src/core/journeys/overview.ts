/**
 * "Where am I?": my municipality, the next gathering, my open tasks and our last status. Slack's
 * App Home and Teams' `oppgaver` / `neste` show parts of it; `hjelp` lists the commands.
 */
import type { DraftBlock, MessageDraft } from '../drafts.ts';
import { formatShort, formatWhen } from '../format.ts';
import type { Gathering, Locale, Task } from '../model.ts';
import type { JourneyContext, Me, Seat } from './context.ts';
import { gatheringStart, nextGathering, offsetTime, tasksSentBy } from '../schedule.ts';

export interface OpenTask {
  seat: Seat;
  gathering: Gathering;
  task: Task;
  due: Date;
}

/** Tasks already sent to me, for a gathering that has not started, that I have not marked done. */
export async function openTasks(ctx: JourneyContext, me: Me): Promise<OpenTask[]> {
  const now = ctx.now();
  const out: OpenTask[] = [];
  for (const seat of me.seats) {
    const def = seat.network;
    for (const g of def.gatherings) {
      if (gatheringStart(def, g) <= now) continue;
      const mine = tasksSentBy(def, g, now, seat.membership.roles);
      if (mine.length === 0) continue;
      const answers = await ctx.store.listTaskCompletions(def.id, g.id);
      for (const task of mine) {
        const done = answers.some((a) => a.task === task.id && a.municipality === seat.municipality.id && a.email === me.email && a.answer === 'done');
        if (!done) out.push({ seat, gathering: g, task, due: offsetTime(def, g, task.due) });
      }
    }
  }
  return out.sort((a, b) => a.due.getTime() - b.due.getTime());
}

function roleNames(ctx: JourneyContext, locale: Locale, roles: readonly string[]): string {
  return roles.map((r) => ctx.texts.t(locale, `roles.${r}`)).join(', ');
}

/** The next gathering of each of my networks. */
export function nextGatheringBlocks(ctx: JourneyContext, me: Me): DraftBlock[] {
  const now = ctx.now();
  const networks = [...new Map([...me.seats.map((s) => s.network), ...me.organiserOf].map((n) => [n.id, n])).values()];
  const blocks: DraftBlock[] = [];
  for (const def of networks) {
    const g = nextGathering(def, now);
    blocks.push({
      type: 'text',
      text: g
        ? ctx.texts.t(me.locale, 'home.next_gathering', {
            gathering: g.title,
            date: formatWhen(gatheringStart(def, g), def.timezone, me.locale),
            location: g.location ?? '—',
          })
        : ctx.texts.t(me.locale, 'home.no_next_gathering'),
    });
  }
  return blocks;
}

export async function openTaskBlocks(ctx: JourneyContext, me: Me): Promise<DraftBlock[]> {
  const tasks = await openTasks(ctx, me);
  const blocks: DraftBlock[] = [{ type: 'header', text: ctx.texts.t(me.locale, 'home.open_tasks') }];
  if (tasks.length === 0) blocks.push({ type: 'text', text: ctx.texts.t(me.locale, 'home.no_open_tasks') });
  for (const o of tasks) {
    blocks.push({
      type: 'text',
      text: `${ctx.texts.t(me.locale, 'home.task_line', { task: o.task.title, due: formatShort(o.due, o.seat.network.timezone, me.locale) })} · ${o.seat.municipality.name}`,
    });
    blocks.push({
      type: 'actions',
      actions: [
        { id: 'task.done', label: ctx.texts.t(me.locale, 'task.done'), style: 'primary', payload: { a: 'task.done', n: o.seat.network.id, g: o.gathering.id, t: o.task.id, m: o.seat.municipality.id } },
        { id: 'task.comment', label: ctx.texts.t(me.locale, 'task.comment'), opensForm: true, payload: { a: 'task.comment', n: o.seat.network.id, g: o.gathering.id, t: o.task.id, m: o.seat.municipality.id } },
      ],
    });
  }
  return blocks;
}

/** Everything at once: Slack's App Home. */
export async function overview(ctx: JourneyContext, me: Me): Promise<MessageDraft> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const blocks: DraftBlock[] = [{ type: 'header', text: t('home.title') }];
  for (const seat of me.seats) {
    blocks.push({ type: 'text', text: t('home.municipality', { municipality: seat.municipality.name, roles: roleNames(ctx, me.locale, seat.membership.roles) }) });
    const [last] = await ctx.store.listStatus(seat.network.id, seat.municipality.id, 1);
    blocks.push({
      type: 'context',
      text: last
        ? t('home.last_status', {
            overall: last.overall ? t(`status.${last.overall}`) : (last.text ?? ''),
            at: formatShort(new Date(last.at), seat.network.timezone, me.locale),
          })
        : t('home.no_status'),
    });
  }
  for (const n of me.organiserOf) blocks.push({ type: 'text', text: t('home.organiser_of', { network: n.name }) });
  blocks.push(...nextGatheringBlocks(ctx, me));
  blocks.push({ type: 'divider' });
  blocks.push(...(await openTaskBlocks(ctx, me)));
  return { fallback: t('home.title'), blocks };
}

export function helpMessage(ctx: JourneyContext, locale: Locale): MessageDraft {
  const t = (key: string) => ctx.texts.t(locale, key);
  const lines = [t('help.status'), t('help.tasks'), t('help.next'), t('help.help')];
  return { fallback: t('help.text'), blocks: [{ type: 'text', text: t('help.text') }, ...lines.map((l) => ({ type: 'text' as const, text: `• ${l}` }))] };
}
