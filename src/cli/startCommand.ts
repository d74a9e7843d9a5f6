/**
 * `samla start` (what `npm start` runs): the service. Serves Slack at /slack/events, Teams at
 * /api/messages, the organisers' dashboard at /dashboard, and runs the scheduler. Stops cleanly
 * on Ctrl-C or SIGTERM.
 *
 * - **Redis**: REDIS_URL when set; else 127.0.0.1:6379 when it answers; else a private
 *   redis-server with its data in .samla/redis (src/app/demoRedis.ts), stopped on exit.
 * - **Networks**: `--file` is imported; with `--demo`, or when Samla holds no network yet, the
 *   demo network (a copy of the example with history, src/app/demoNetwork.ts) is loaded afresh.
 * - **Demo mode**, with `--demo` or when no chat platform is configured (no Slack credentials,
 *   Teams anonymous): Samla runs on the demo clock, serves the local chat at /chat with the time
 *   control, and the dashboard answers on localhost without sign-in; Samla listens on 127.0.0.1
 *   only. Refused with NODE_ENV=production.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { DemoTime, startDemoNetwork } from '../app/demo.ts';
import { DemoClock } from '../app/demoClock.ts';
import { DEMO_NETWORK_ID } from '../app/demoNetwork.ts';
import { resolveRedis, type ResolvedRedis } from '../app/demoRedis.ts';
import { startSamla, type RunningSamla } from '../app/main.ts';
import { planAgenda } from '../core/agenda.ts';
import { instantToLocal } from '../core/calendar.ts';
import { invalidInput } from '../core/errors.ts';
import { webPlugin, type WebPlugin } from '../web/plugin.ts';
import { networkEnd } from './agendaCommand.ts';
import { line, type CliContext } from './io.ts';
import { fmt } from './networkView.ts';

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run Samla: Slack, Teams, the dashboard and the scheduler (a demo with a local chat when no chat platform is configured)')
    .option('--file <file>', 'a network file to load at start (re-importing it is harmless)')
    .option('--port <port>', 'the HTTP port (default PORT or 3978)')
    .option('--demo', 'load the demo network afresh and run the local chat, the time control and the demo clock')
    .action(async (opts: { file?: string; port?: string; demo?: boolean }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw invalidInput(`--port "${opts.port}" is not a port number like 3978.`);
      }
      // Every setting is checked before anything starts (a wrong one stops here, with its name).
      const settings = ctx.settings;
      settings.checkAll();
      const config = settings.config;
      const platformsConfigured = settings.slack.enabled || settings.teams.auth.mode === 'authenticated';
      if (opts.demo && config.nodeEnv === 'production') {
        throw invalidInput('--demo runs Samla on a simulated clock with a local chat that lets anyone on this machine act as anyone; it is refused with NODE_ENV=production.');
      }
      const demoMode = !!opts.demo || !platformsConfigured;

      const redis = await resolveRedis({ url: settings.redisUrlGiven, cwd: ctx.cwd });
      try {
        const clock = new DemoClock(() => ctx.now().getTime());
        let demoLoaded = false;
        let web: WebPlugin | undefined;
        const samla = await startSamla({
          settings,
          ...(redis.source === 'embedded' ? { redisUrl: redis.url } : {}),
          now: demoMode ? () => clock.now() : ctx.now,
          // The demo lets anyone act as anyone: it answers this machine only, on 127.0.0.1.
          ...(demoMode ? { demo: true, host: '127.0.0.1' } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(opts.file ? { networkFile: path.resolve(ctx.cwd, opts.file) } : {}),
          prepare: async (deps) => {
            const empty = (await deps.store.listNetworks()).length === 0;
            if (opts.demo || (empty && !opts.file)) {
              await startDemoNetwork(deps, clock);
              demoLoaded = true;
            } else if (demoMode) {
              await clock.load(deps.demo);
            }
          },
          plugins: (deps, handle) => {
            const time = demoMode ? new DemoTime({ deps, clock, scheduler: handle.scheduler }) : undefined;
            web = webPlugin(deps, handle, time ? { clock, time, restart: async () => void (await startDemoNetwork(deps, clock)) } : undefined);
            return [web];
          },
          // Samla is installed in the local chat's team before the scheduler's first pass, so it can reach everyone.
          listening: async () => web?.started(),
        });
        await printBanner(ctx, samla, { redis, demoMode, demoLoaded, clock, web });
        await (ctx.untilStopped ?? untilSignal)();
        line(ctx.stderr, 'Samla is stopping: finishing the work in flight…');
        if (demoMode) await clock.save(samla.deps.demo).catch(() => {});
        await samla.close();
        line(ctx.stderr, 'Samla stopped.');
      } finally {
        if (redis.embedded) {
          await redis.embedded.stop();
          line(ctx.stderr, `The private Redis stopped; its data stays in ${path.relative(ctx.cwd, redis.embedded.dir) || redis.embedded.dir}.`);
        }
      }
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

async function printBanner(
  ctx: CliContext,
  samla: RunningSamla,
  o: { redis: ResolvedRedis; demoMode: boolean; demoLoaded: boolean; clock: DemoClock; web?: WebPlugin },
): Promise<void> {
  const out = (s = '') => line(ctx.stdout, s);
  const networks = await samla.deps.store.listNetworks();
  const now = samla.deps.journeys.now();
  const web = samla.deps.web;
  out(`Samla is running on ${samla.url}`);
  if (o.demoMode) {
    out(`  Chat:      ${o.web?.chatUnavailable ? `off (${o.web.chatUnavailable})` : `${samla.url}/chat  (pick who you are; the time control moves the demo clock)`}`);
    out(`  Dashboard: ${samla.url}/dashboard  (this machine only, no sign-in in demo mode)`);
  } else {
    out(`  Dashboard: ${samla.url}/dashboard  ${web.secret ? '(organisers sign in with the link Samla sends when they type "dashboard")' : '(closed: set SAMLA_DASHBOARD_SECRET to let organisers sign in)'}`);
  }
  out(`  Slack:     ${samla.platforms.slack ? `${samla.url}/slack/events` : 'off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)'}`);
  const teams = samla.deps.teams.auth;
  out(
    `  Teams:     ${samla.url}/api/messages  ${
      teams.mode === 'authenticated'
        ? `(app ${teams.appId}${teams.tenantId ? `, tenant ${teams.tenantId}` : ''}; every Bot Framework token is checked)`
        : '(anonymous: this machine only; set TEAMS_APP_ID and TEAMS_APP_PASSWORD to serve Microsoft Teams)'
    }`,
  );
  if (o.redis.embedded) {
    const dir = path.relative(ctx.cwd, o.redis.embedded.dir) || o.redis.embedded.dir;
    out(`  Redis:     a private redis-server on ${o.redis.url} (nothing answered on 127.0.0.1:6379), data in ${dir}${o.redis.embedded.adopted ? ' (left running earlier; taken over)' : ''}`);
  } else {
    out(`  Redis:     ${samla.config.redisUrl} (prefix ${samla.config.redisPrefix})`);
  }
  if (o.demoMode && o.clock.simulated) {
    const demo = await samla.deps.store.getNetwork(DEMO_NETWORK_ID);
    const zone = demo?.timezone ?? 'Europe/Oslo';
    out(`  Demo clock: ${fmt(instantToLocal(now, zone))} (${zone}); it runs on from there, and the chat page moves it forward`);
  }
  if (o.demoLoaded) out(`Loaded the demo network (${DEMO_NETWORK_ID}): a copy of the example with history, some municipalities on track and some drifting.`);
  if (samla.imported) {
    const r = samla.imported.result;
    out(`Loaded ${samla.imported.def.name} (${samla.imported.def.id}), version ${r.version}${r.changed ? '' : ', unchanged'}.`);
  }
  for (const n of networks) {
    const def = await samla.deps.store.getNetwork(n.id);
    if (!def) continue;
    const next = planAgenda(def, { from: now, to: networkEnd(def) }).slice(0, 5);
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
