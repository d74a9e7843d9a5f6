/**
 * Privacy, for operators (the organisation running Samla answers requests from the people in it):
 *
 *   samla person export <email>            everything Samla holds about the person, as JSON
 *   samla person forget <email> --yes      erases it (see adapters/redis/recordKinds.ts for what
 *                                          is deleted and what is kept as anonymous counts)
 *   samla retention [--months <n>]         deletes reflection notes whose retention ran out
 *                                          (a running Samla does this by itself every 6 hours)
 *
 * `forget` without --yes only says what it would do. After it, remove the person from the
 * network file too: importing a file that still names them adds them back as a new person.
 */
import type { Command } from 'commander';
import { exportPersonJobs, forgetPersonJobs } from '../app/personJobs.ts';
import { RETENTION_MONTHS_PROBLEM, retentionMonths } from '../app/retention.ts';
import { invalidInput } from '../core/errors.ts';
import { normaliseEmail } from '../core/people.ts';
import { line, printJson, type CliContext } from './io.ts';

function checkEmail(email: string): string {
  const e = normaliseEmail(email);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) throw invalidInput(`"${email}" is not an email address, e.g. ola.hansen@kristiansand.kommune.no.`);
  return e;
}

export function registerPersonCommands(program: Command, ctx: CliContext): void {
  const person = program.command('person').description('privacy: export or erase what Samla holds about a person');

  person
    .command('export')
    .description('print everything Samla holds about a person, as JSON')
    .argument('<email>', 'the person’s email')
    .action(async (email: string) => {
      const e = checkEmail(email);
      const data = await (await ctx.personData()).export(e, ctx.now());
      const runtime = await ctx.delivery();
      printJson(ctx.stdout, { ...data, queuedDeliveries: await exportPersonJobs(runtime.queues, e) });
    });

  person
    .command('forget')
    .description('erase a person’s personal data in every network, keeping only anonymous counts')
    .argument('<email>', 'the person’s email')
    .option('--yes', 'really erase (without it, only say what would be erased)')
    .option('--json', 'print the report as JSON')
    .action(async (email: string, opts: { yes?: boolean; json?: boolean }) => {
      const e = checkEmail(email);
      const data = await ctx.personData();
      if (!opts.yes) {
        const found = await data.export(e, ctx.now());
        line(ctx.stdout, `Samla holds data about ${e} in ${found.networks.length} network(s): ${found.networks.map((n) => n.network).join(', ') || '—'}.`);
        line(ctx.stdout, 'Nothing was changed. Run again with --yes to erase it (see samla person export for what it is).');
        return;
      }
      const report = await data.forget(e, { now: ctx.now() });
      const runtime = await ctx.delivery();
      const jobs = await forgetPersonJobs(runtime.queues, e);
      if (opts.json) return printJson(ctx.stdout, { ...report, deliveryJobs: jobs });
      line(ctx.stdout, `Forgot ${e}; what stays is counted under the anonymous token ${report.token}.`);
      for (const n of report.networks) {
        const list = (bag: Record<string, number>) => Object.entries(bag).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing';
        line(ctx.stdout, `  ${n.network}: ${n.removedFromFile ? 'removed from the network definition; ' : ''}deleted ${list(n.deleted)}; anonymised ${list(n.anonymised)}`);
      }
      line(ctx.stdout, `  global: ${report.globalKeysDeleted} key(s) deleted (identities, Teams references, indexes)`);
      line(ctx.stdout, `  delivery queue: ${jobs.removed} job(s) removed${jobs.running.length ? `, ${jobs.running.length} running now (run forget again in a minute)` : ''}`);
      if (report.networks.some((n) => n.removedFromFile)) {
        line(ctx.stdout, 'Remove them from the network file too: importing a file that still names them adds them back as a new person.');
      }
    });

  program
    .command('retention')
    .description('delete reflection notes whose retention ran out (SAMLA_REFLECTION_RETENTION_MONTHS after the network’s last gathering)')
    .option('--months <n>', 'override SAMLA_REFLECTION_RETENTION_MONTHS')
    .option('--json', 'print as JSON')
    .action(async (opts: { months?: string; json?: boolean }) => {
      const months = opts.months === undefined ? ctx.settings.retention.months : monthsOption(opts.months);
      const report = await ctx.retention(months);
      if (opts.json) return printJson(ctx.stdout, report);
      if (report.networks.length === 0) line(ctx.stdout, `No network ended more than ${months} months ago; nothing to delete.`);
      for (const n of report.networks) line(ctx.stdout, `${n.network}: retention ran out ${n.expiresAt}; ${n.deleted} reflection note(s) deleted.`);
    });
}

/** `--months`, 1–240, like SAMLA_REFLECTION_RETENTION_MONTHS. */
function monthsOption(raw: string): number {
  const parsed = retentionMonths.safeParse(raw.trim());
  if (!parsed.success) throw invalidInput(`--months ${JSON.stringify(raw)}: ${RETENTION_MONTHS_PROBLEM}.`);
  return parsed.data;
}
