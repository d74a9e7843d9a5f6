/**
 * `samla deliveries failed [--json]` lists the deliveries that gave up (a permanent error such as
 * a user not found, or every try used up), with the recipient, the reason, the number of tries
 * and when the last one failed.
 *
 * `samla deliveries retry <occurrence…> | --all [--deliver]` sends them again: each goes back to
 * the queue with its tries reset (and its occurrence from `failed` to `queued`). Without
 * `--deliver` the running Samla server sends them; with it, this process does and waits.
 */
import type { Command } from 'commander';
import { invalidInput } from '../core/errors.ts';
import type { FailedDelivery } from '../app/deliveryQueue.ts';
import { line, printJson, type CliContext } from './io.ts';

export function registerDeliveriesCommands(program: Command, ctx: CliContext): void {
  const deliveries = program.command('deliveries').description('failed deliveries: list them and send them again');

  deliveries
    .command('failed')
    .description('list the deliveries that failed (permanent errors, or all tries used up)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const runtime = await ctx.delivery();
      const failed = await runtime.queues.failed();
      if (opts.json) return printJson(ctx.stdout, failed);
      ctx.stdout.write(renderFailed(failed));
    });

  deliveries
    .command('retry')
    .description('send failed deliveries again (by occurrence id, as `deliveries failed` lists them, or --all)')
    .argument('[occurrences...]', 'occurrence ids (or job ids) of failed deliveries')
    .option('--all', 'retry every failed delivery')
    .option('--deliver', 'send them from this process and wait until the queue is empty')
    .option('--timeout <seconds>', 'with --deliver: give up waiting after this long', '120')
    .option('--json', 'print as JSON')
    .action(async (ids: string[], opts: { all?: boolean; deliver?: boolean; timeout: string; json?: boolean }) => {
      if (!opts.all && ids.length === 0) throw invalidInput('Name the deliveries to retry (see samla deliveries failed), or pass --all.');
      if (opts.all && ids.length > 0) throw invalidInput('Give occurrence ids or --all, not both.');
      const platforms = opts.deliver ? await ctx.platforms() : undefined;
      const runtime = await ctx.delivery();
      const retried = await runtime.queues.retry(opts.all ? 'all' : ids, runtime.schedule, ctx.now());
      let states: { occurrence: string; state?: string; reason?: string }[] | undefined;
      if (platforms) {
        runtime.startWorkers(platforms);
        await runtime.drain(Number(opts.timeout) * 1000);
        states = [];
        for (const f of retried) {
          const record = await runtime.schedule.get(f.network, f.occurrence);
          states.push({ occurrence: f.occurrence, ...(record ? { state: record.state } : {}), ...(record?.reason ? { reason: record.reason } : {}) });
        }
      }
      const retriedIds = retried.map((f) => f.occurrence);
      if (opts.json) return printJson(ctx.stdout, { retried: retriedIds, ...(states ? { states } : {}) });
      line(ctx.stdout, retried.length ? `Retrying ${retried.length} deliver${retried.length === 1 ? 'y' : 'ies'}:` : 'No failed deliveries to retry.');
      for (const id of retriedIds) {
        const s = states?.find((x) => x.occurrence === id);
        line(ctx.stdout, `  ${id}${s?.state ? `: ${s.state}${s.state === 'failed' && s.reason ? ` (${s.reason})` : ''}` : ''}`);
      }
    });
}

function renderFailed(failed: FailedDelivery[]): string {
  if (failed.length === 0) return 'No failed deliveries.\n';
  const out = [`${failed.length} failed deliver${failed.length === 1 ? 'y' : 'ies'} (retry with: samla deliveries retry <occurrence> or --all):`];
  for (const f of failed) {
    out.push(`  ${f.occurrence}`);
    out.push(`    to ${f.email}${f.municipality ? ` (${f.municipality})` : ''} on ${f.platform} · ${f.kind} · ${f.attempts} tr${f.attempts === 1 ? 'y' : 'ies'} · last failed ${f.failedAt ?? 'unknown'}`);
    out.push(`    reason: ${f.reason}`);
  }
  return out.join('\n') + '\n';
}
