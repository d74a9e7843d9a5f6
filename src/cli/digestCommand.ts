/**
 * `samla digest <network> [--json | --csv] [--locale nb|nn|en] [--at <time>]`: the organisers'
 * weekly digest as it looks now (or at `--at`, in network time), for the operator (through the same core function as `/samla digest`, which checks
 * access: the operator, holding the store's credentials, may read any network's digest).
 *
 * - text (default): the digest as the organisers read it, in English unless `--locale` says;
 * - `--json`: the Digest object (signals with their evidence, what is new and resolved,
 *   readiness, unreachable people);
 * - `--csv`: one row per municipality × signal: kind, severity, whether it is new, the reason in
 *   English and the evidence as JSON.
 *
 * New and resolved count from the last weekly digest that was sent; nothing is saved.
 */
import type { Command } from 'commander';
import type { DraftBlock } from '../core/drafts.ts';
import { invalidInput } from '../core/errors.ts';
import { readDigest } from '../core/journeys/digest.ts';
import { digestMessage } from '../core/lagging/digest.ts';
import { digestCsv } from '../core/lagging/digestExport.ts';
import { LOCALES, type Locale } from '../core/model.ts';
import { loadTexts } from '../app/prompts.ts';
import { parseWhen } from './agendaCommand.ts';
import { line, printJson, type CliContext } from './io.ts';
import { loadNetwork } from './networkCommands.ts';

export function registerDigestCommand(program: Command, ctx: CliContext): void {
  program
    .command('digest')
    .description("the organisers' weekly digest as it looks now: who may need support and why, readiness, unreachable people")
    .argument('<network>', 'the network id')
    .option('--json', 'print the digest as JSON')
    .option('--csv', 'print one row per municipality and signal as CSV (reasons in English, evidence as JSON)')
    .option('--locale <locale>', 'language of the text output: nb, nn or en', 'en')
    .option('--at <time>', 'as of this moment: 2027-04-26T08:00 (network time) or an ISO instant; default now')
    .action(async (network: string, opts: { json?: boolean; csv?: boolean; locale: string; at?: string }) => {
      if (opts.json && opts.csv) throw invalidInput('Choose one of --json and --csv.');
      if (!(LOCALES as readonly string[]).includes(opts.locale)) throw invalidInput(`--locale "${opts.locale}" is not one of ${LOCALES.join(', ')}.`);
      const locale = opts.locale as Locale;
      const texts = loadTexts();
      const store = await ctx.store();
      const at = opts.at ? parseWhen(opts.at, '--at', (await loadNetwork(store, network)).def.timezone) : undefined;
      const read = await readDigest({ store, texts, now: at ? () => at : ctx.now }, { operator: true, locale }, network);
      if (opts.json) return printJson(ctx.stdout, read.digest);
      if (opts.csv) return ctx.stdout.write(digestCsv(texts, read.def, read.digest));
      const message = digestMessage(texts, locale, read.def, read.digest);
      for (const b of message.blocks) for (const l of blockLines(b)) line(ctx.stdout, l);
    });
}

/** A draft block as plain text lines for a terminal. */
function blockLines(b: DraftBlock): string[] {
  switch (b.type) {
    case 'header':
      return ['', b.text, '-'.repeat(Math.min(b.text.length, 80))];
    case 'text':
      return [b.text];
    case 'context':
      return [`  ${b.text}`];
    case 'facts':
      return b.facts.map((f) => `  ${f.value}`);
    case 'divider':
      return [''];
    case 'actions':
      return [];
  }
}
