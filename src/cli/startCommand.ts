/**
 * `samla start` (what `npm start` runs): loads the network file (by default the embedded
 * example network) and shows what Samla will send next. The chat servers join this command
 * as the Slack, Teams and scheduler work lands.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { planAgenda } from '../core/agenda.ts';
import { line, type CliContext } from './io.ts';
import { networkEnd } from './agendaCommand.ts';
import { readNetworkFile } from './networkCommands.ts';
import { fmt } from './networkView.ts';
import { instantToLocal } from '../core/calendar.ts';

export const EMBEDDED_NETWORK = fileURLToPath(new URL('../../examples/network.yaml', import.meta.url));

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('load a network (default: the embedded example) and show what Samla sends next')
    .option('--file <file>', 'the network file to load', EMBEDDED_NETWORK)
    .option('--next <n>', 'how many upcoming prompts to show', '12')
    .action(async (opts: { file: string; next: string }) => {
      const count = Number.parseInt(opts.next, 10);
      const def = await readNetworkFile(path.resolve(ctx.cwd, opts.file));
      const store = await ctx.store();
      const result = await store.importNetwork(def, { actor: 'start', now: ctx.now() });
      const now = ctx.now();
      line(
        ctx.stdout,
        `Samla holds ${def.name} (${def.id}), version ${result.version}` +
          (result.changed ? (result.created ? ', just imported.' : ', updated from the file.') : ', unchanged.'),
      );
      line(ctx.stdout, `Redis: ${ctx.config().redisUrl} (prefix ${ctx.config().redisPrefix})`);
      const upcoming = planAgenda(def, { from: now, to: networkEnd(def) }).slice(0, Number.isFinite(count) && count > 0 ? count : 12);
      line(ctx.stdout, '');
      line(ctx.stdout, upcoming.length ? `The next ${upcoming.length} prompts (${def.timezone}):` : 'Nothing more is planned for this network.');
      for (const item of upcoming) {
        const who = item.recipients.length === 1 ? item.recipients[0]!.name : `${item.recipients.length} people`;
        line(ctx.stdout, `  ${fmt(instantToLocal(item.at, def.timezone))}  ${item.kind.padEnd(16)} ${item.title} → ${who}`);
      }
      line(ctx.stdout, '');
      line(ctx.stdout, `More: samla network show ${def.id} · samla agenda ${def.id}`);
    });
}
