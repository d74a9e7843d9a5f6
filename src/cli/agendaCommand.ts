/**
 * `samla agenda <id> [--from] [--to]`: every prompt Samla will send, when, and to whom, and for
 * each one how far delivery got: planned (nothing sent yet), queued, sent, skipped (with the
 * reasons) or failed, counted per recipient. Status nudges are planned from the last status
 * reports, as the scheduler plans them.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { lastStatusByMunicipality } from '../core/scheduler/tick.ts';
import { planAgenda, type AgendaItem } from '../core/agenda.ts';
import { localToInstant } from '../core/calendar.ts';
import { invalidInput } from '../core/errors.ts';
import type { NetworkDefinition } from '../core/model.ts';
import type { ItemDeliveryCounts } from '../core/scheduler/ports.ts';
import type { NetworkStore } from '../core/ports.ts';
import { gatheringSpan } from '../core/schedule.ts';
import { line, printJson, type CliContext } from './io.ts';
import { loadNetwork } from './networkCommands.ts';
import { fmt } from './networkView.ts';

export const KIND_LABEL: Record<AgendaItem['kind'], string> = {
  task: 'task',
  task_reminder: 'task reminder',
  checkin: 'check-in',
  checkin_reminder: 'check-in reminder',
  reflection: 'reflection',
  status_nudge: 'status nudge',
  digest: 'digest',
  nudge: 'nudge',
};

export function registerAgendaCommand(program: Command, ctx: CliContext): void {
  program
    .command('agenda')
    .description('every prompt Samla will send for a network, with its local time and recipients')
    .argument('<id>', 'the network id')
    .option('--from <date>', 'start of the window: 2027-01-31, 2027-01-31T09:00 (network time) or an ISO instant; default now')
    .option('--to <date>', 'end of the window (exclusive); default the end of the network')
    .option('--recipients', 'list every recipient instead of the first few')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { from?: string; to?: string; recipients?: boolean; json?: boolean }) => {
      const store = await ctx.store();
      const { def } = await loadNetwork(store, id);
      const from = opts.from ? parseWhen(opts.from, '--from', def.timezone) : ctx.now();
      const to = opts.to ? parseWhen(opts.to, '--to', def.timezone) : networkEnd(def);
      if (to <= from) {
        throw invalidInput(`--to (${to.toISOString()}) must be after --from (${from.toISOString()}).`);
      }
      const lastStatus = await lastStatusByMunicipality(store, def);
      const items = planAgenda(def, { from, to }, { lastStatus, reminderFraction: ctx.settings.scheduler.reminderFraction });
      const counts = await (await ctx.schedule()).counts(def.id);
      const marked = items.map((item) => ({ ...item, delivery: deliveryMarks(item, counts.get(item.id)) }));
      if (opts.json) {
        return printJson(ctx.stdout, { network: def.id, timezone: def.timezone, from: from.toISOString(), to: to.toISOString(), items: marked });
      }
      ctx.stdout.write(renderAgenda(def, marked, from, to, Boolean(opts.recipients)));
    });
}

/** The end of a network's agenda: 60 days after its last gathering ends (digests and follow-up). */
export function networkEnd(def: NetworkDefinition): Date {
  return new Date(Math.max(0, gatheringSpan(def)?.lastEnd.getTime() ?? 0) + 60 * 24 * 3600 * 1000);
}

/** A date or date-time given on the command line: local to the network unless it has an offset. */
export function parseWhen(text: string, flag: string, zone: string): Date {
  const t = text.trim();
  const hint = `${flag} "${text}" is not a date like 2027-01-31, a local time like 2027-01-31T09:00, or an instant like 2027-01-31T08:00Z`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const d = DateTime.fromISO(t, { zone });
    if (!d.isValid) throw invalidInput(hint);
    return d.toJSDate();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(t)) {
    const d = DateTime.fromISO(t, { zone });
    if (!d.isValid) throw invalidInput(hint);
    return localToInstant(t, zone);
  }
  const d = DateTime.fromISO(t, { setZone: true });
  if (!d.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(t)) throw invalidInput(hint);
  return d.toJSDate();
}

/** How far delivery got for one agenda item, per recipient; `planned` are those not yet handled. */
export interface DeliveryMarks extends ItemDeliveryCounts {
  planned: number;
}

export function deliveryMarks(item: AgendaItem, c: ItemDeliveryCounts | undefined): DeliveryMarks {
  const counts = c ?? { queued: 0, sending: 0, sent: 0, skipped: 0, failed: 0, skippedBy: {} };
  const handled = counts.queued + counts.sending + counts.sent + counts.skipped + counts.failed;
  return { ...counts, planned: Math.max(0, item.recipients.length - handled) };
}

/** "planned", or e.g. "sent 6 · skipped 2 (done) · failed 1", "skipped 3 (done 2, past due 1)". */
export function marksText(m: DeliveryMarks): string {
  const parts: string[] = [];
  if (m.sent) parts.push(`sent ${m.sent}`);
  if (m.queued + m.sending) parts.push(`queued ${m.queued + m.sending}`);
  if (m.skipped) {
    const reasons = Object.entries(m.skippedBy).filter(([, n]) => n > 0);
    const why = reasons.map(([reason, n]) => (reasons.length === 1 ? reason.replace(/_/g, ' ') : `${reason.replace(/_/g, ' ')} ${n}`));
    parts.push(`skipped ${m.skipped}${why.length ? ` (${why.join(', ')})` : ''}`);
  }
  if (m.failed) parts.push(`failed ${m.failed}`);
  if (m.planned && parts.length) parts.push(`planned ${m.planned}`);
  return parts.length ? parts.join(' · ') : 'planned';
}


function renderAgenda(def: NetworkDefinition, items: (AgendaItem & { delivery: DeliveryMarks })[], from: Date, to: Date, all: boolean): string {
  const zone = def.timezone;
  const day = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const out = [`Agenda for ${def.id}, ${day(from)} – ${day(to)} (${zone}): ${items.length} prompts`];
  if (items.length === 0) out.push('  Nothing planned in this window.');
  const gatherings = new Map(def.gatherings.map((g) => [g.id, g.title]));
  for (const item of items) {
    const when = DateTime.fromJSDate(item.at, { zone }).setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm');
    const context = [item.gathering ? gatherings.get(item.gathering) ?? item.gathering : '', item.title].filter(Boolean);
    out.push(`${when}  ${KIND_LABEL[item.kind].padEnd(17)} ${[...new Set(context)].join(' · ')}`);
    if (item.moved) {
      const why = item.moved.holiday ? `${item.moved.reason}: ${item.moved.holiday}` : item.moved.reason.replace('_', ' ');
      out.push(`${' '.repeat(40)}moved from ${fmt(DateTime.fromJSDate(item.planned, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"))} (${why})`);
    }
    if (item.dueLocal) out.push(`${' '.repeat(40)}due ${fmt(item.dueLocal)}`);
    out.push(`${' '.repeat(40)}${recipientsText(item, all)}`);
    out.push(`${' '.repeat(40)}${marksText(item.delivery)}`);
  }
  return out.join('\n') + '\n';
}

function recipientsText(item: AgendaItem, all: boolean): string {
  const names = item.recipients.map((r) => (r.municipality ? `${r.name} (${r.municipality})` : r.name));
  const n = names.length;
  const label = `${n} recipient${n === 1 ? '' : 's'}`;
  if (n === 0) return 'no recipients: nobody in the file holds the roles this prompt is for';
  if (all || n <= 6) return `${label}: ${names.join(', ')}`;
  return `${label}: ${names.slice(0, 5).join(', ')} and ${n - 5} more (--recipients lists them all)`;
}
