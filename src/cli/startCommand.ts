/**
 * `samla start` (what `npm start` runs): the service. Serves Slack at /slack/events and Teams at
 * /api/messages, runs the scheduler, and loads the embedded example network when Samla holds no
 * network yet (or the file given with --file). Stops cleanly on Ctrl-C or SIGTERM.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { planAgenda } from '../core/agenda.ts';
import { instantToLocal } from '../core/calendar.ts';
import { invalidInput } from '../core/errors.ts';
import { startSamla, type RunningSamla } from '../app/main.ts';
import { networkEnd } from './agendaCommand.ts';
import { line, type CliContext } from './io.ts';
import { fmt } from './networkView.ts';

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run Samla: the Slack and Teams endpoints and the scheduler (loads the example network when none exists)')
    .option('--file <file>', 'a network file to load at start (re-importing it is harmless)')
    .option('--port <port>', 'the HTTP port (default PORT or 3978)')
    .action(async (opts: { file?: string; port?: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw invalidInput(`--port "${opts.port}" is not a port number like 3978.`);
      }
      const samla = await startSamla({
        env: ctx.env,
        now: ctx.now,
        ...(port !== undefined ? { port } : {}),
        ...(opts.file ? { networkFile: path.resolve(ctx.cwd, opts.file) } : {}),
      });
      await printBanner(ctx, samla);
      await (ctx.untilStopped ?? untilSignal)();
      line(ctx.stderr, 'Samla is stopping: finishing the work in flight…');
      await samla.close();
      line(ctx.stderr, 'Samla stopped.');
    });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function printBanner(ctx: CliContext, samla: RunningSamla): Promise<void> {
  const out = (s = '') => line(ctx.stdout, s);
  const networks = await samla.deps.store.listNetworks();
  out(`Samla is running on ${samla.url}`);
  out(`  Slack: ${samla.platforms.slack ? `${samla.url}/slack/events` : 'off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)'}`);
  out(`  Teams: ${samla.url}/api/messages${samla.config.nodeEnv === 'production' ? '' : ' (anonymous unless TEAMS_APP_ID is set)'}`);
  out(`  Redis: ${samla.config.redisUrl} (prefix ${samla.config.redisPrefix})`);
  if (samla.imported) {
    const r = samla.imported.result;
    out(`Loaded ${samla.imported.def.name} (${samla.imported.def.id}), version ${r.version}${r.changed ? '' : ', unchanged'}.`);
  }
  for (const n of networks) {
    const def = await samla.deps.store.getNetwork(n.id);
    if (!def) continue;
    const next = planAgenda(def, { from: ctx.now(), to: networkEnd(def) }).slice(0, 5);
    out('');
    out(`${def.name} (${def.id}): ${n.municipalities} municipalities, ${n.people} people. Next prompts (${def.timezone}):`);
    if (next.length === 0) out('  nothing more is planned');
    for (const item of next) {
      const who = item.recipients.length === 1 ? item.recipients[0]!.name : `${item.recipients.length} people`;
      out(`  ${fmt(instantToLocal(item.at, def.timezone))}  ${item.kind.padEnd(16)} ${item.title} → ${who}`);
    }
  }
  out('');
  out('Stop with Ctrl-C. More: samla network show <id> · samla agenda <id>');
}
