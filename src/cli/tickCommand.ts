/**
 * `samla tick [--at <time>] [--network <id>] [--deliver] [--json]`: one scheduler pass as of a
 * moment, for operators and tests. It fans out what fell due since the last pass, claims it and
 * puts it on the delivery queue, and prints what was enqueued and skipped (and why).
 *
 * By default it only enqueues: the running Samla server's workers send the messages. With
 * `--deliver` it also sends them from this process through the configured platforms and waits
 * until the queue is empty (failed deliveries stay listed by `samla deliveries failed`).
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { SamlaError, invalidInput } from '../core/errors.ts';
import type { DeliveryRuntime } from '../app/deliveryRuntime.ts';
import type { NetworkTickReport, TickReport } from '../core/scheduler/tick.ts';
import { KIND_LABEL, parseWhen } from './agendaCommand.ts';
import { line, printJson, type CliContext } from './io.ts';
import { loadNetwork } from './networkCommands.ts';

/** Local times given to `--at` without a network are read in this zone. */
const DEFAULT_ZONE = 'Europe/Oslo';

export function registerTickCommand(program: Command, ctx: CliContext): void {
  program
    .command('tick')
    .description('run one scheduler pass: enqueue the prompts that are due, and print what was enqueued and skipped')
    .option('--at <time>', 'the moment of the pass: 2027-01-20T09:00 (network time) or an ISO instant; default now')
    .option('--network <id>', 'only this network (its time zone reads --at)')
    .option('--deliver', 'also send the queued prompts from this process and wait until the queue is empty')
    .option('--timeout <seconds>', 'with --deliver: give up waiting after this long', '120')
    .option('--json', 'print as JSON')
    .action(async (opts: { at?: string; network?: string; deliver?: boolean; timeout: string; json?: boolean }) => {
      const store = await ctx.store();
      const zone = opts.network ? (await loadNetwork(store, opts.network)).def.timezone : DEFAULT_ZONE;
      const at = opts.at ? parseWhen(opts.at, '--at', zone) : ctx.now();
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) throw invalidInput(`--timeout "${opts.timeout}" is not a number of seconds, e.g. 120.`);
      const platforms = opts.deliver ? await ctx.platforms() : undefined; // fail before enqueueing anything
      const runtime = await ctx.delivery();
      const networks = opts.network ? [opts.network] : (await store.listNetworks()).map((n) => n.id);
      const report = await runtime.tick(at, opts.network ? [opts.network] : undefined);
      const before = platforms ? await totals(runtime, networks) : undefined;
      let delivered: Record<string, DeliveryTotals> | undefined;
      if (platforms && before) {
        runtime.startWorkers(platforms);
        await runtime.drain(timeout * 1000);
        const after = await totals(runtime, networks);
        delivered = Object.fromEntries(
          networks.map((id) => {
            const [b, a] = [before[id]!, after[id]!];
            return [id, { sent: a.sent - b.sent, skipped: a.skipped - b.skipped, failed: a.failed - b.failed, queued: a.queued }];
          }),
        );
      }
      if (opts.json) {
        printJson(ctx.stdout, { ...report, ...(delivered ? { delivered } : {}) });
      } else {
        ctx.stdout.write(renderTick(report));
        for (const [network, d] of Object.entries(delivered ?? {})) {
          line(ctx.stdout, `${network}: delivered from the queue: ${d.sent} sent, ${d.skipped} skipped, ${d.failed} failed; ${d.queued} still queued`);
        }
      }
      const failed = report.networks.filter((n) => n.error);
      if (failed.length) {
        throw new SamlaError('INTERNAL', `The pass failed for ${failed.map((n) => n.network).join(', ')}; the next pass tries again:`, {
          details: failed.map((n) => `${n.network}: ${n.error}`),
        });
      }
    });
}

interface DeliveryTotals {
  sent: number;
  skipped: number;
  failed: number;
  queued: number;
}

/** Occurrences per state, summed over a network's items. */
async function totals(runtime: DeliveryRuntime, networks: string[]): Promise<Record<string, DeliveryTotals>> {
  const out: Record<string, DeliveryTotals> = {};
  for (const id of networks) {
    const t: DeliveryTotals = { sent: 0, skipped: 0, failed: 0, queued: 0 };
    for (const c of (await runtime.schedule.counts(id)).values()) {
      t.sent += c.sent;
      t.skipped += c.skipped;
      t.failed += c.failed;
      t.queued += c.queued + c.sending;
    }
    out[id] = t;
  }
  return out;
}

/** The pass as text, per network and item. */
export function renderTick(report: TickReport): string {
  const out: string[] = [];
  if (report.networks.length === 0) out.push('No networks. Load one with: samla network import <file>');
  for (const n of report.networks) out.push(...renderNetwork(n, new Date(report.at)));
  return out.join('\n') + '\n';
}

function renderNetwork(n: NetworkTickReport, at: Date): string[] {
  const zone = n.timezone;
  const local = (iso: string | Date) => DateTime.fromJSDate(new Date(iso), { zone }).toFormat('yyyy-MM-dd HH:mm');
  if (n.error) return [`${n.network}: the pass failed: ${n.error}`];
  if (n.held) {
    return [`${n.network}: held at ${local(at)} (${zone}): quiet time, nothing sent; the first pass in working hours catches up.`];
  }
  const window = n.from && n.to ? `${local(n.from)} → ${local(at)}` : local(at);
  const out = [`${n.network}: pass ${window} (${zone})${n.sweep ? ', from the first import (first pass, or the network file changed)' : ''}`];
  for (const i of n.items) {
    const parts: string[] = [];
    if (i.enqueued) parts.push(`${i.enqueued} enqueued`);
    if (i.resumed) parts.push(`${i.resumed} resumed`);
    for (const [reason, count] of Object.entries(i.skipped)) parts.push(`${count} skipped: ${reason.replace(/_/g, ' ')}`);
    if (i.already) parts.push(`${i.already} already handled`);
    const when = DateTime.fromISO(i.at, { zone }).setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm');
    out.push(`  ${when}  ${KIND_LABEL[i.kind].padEnd(17)} ${i.title}: ${parts.join(', ') || 'nobody to send to'}`);
  }
  if (n.items.length === 0) out.push('  nothing fell due');
  out.push(`  ${n.enqueued} enqueued, ${n.resumed} resumed, ${n.skipped} skipped, ${n.already} already handled`);
  return out;
}
