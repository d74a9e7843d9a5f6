/**
 * The `samla` command line: the composition root for one-shot commands (and, through
 * ./startCommand.ts, of the service). It reads the environment once (src/app/env.ts) and opens
 * the Redis connection the commands share.
 * Exit codes: 0 ok, 1 failure (e.g. Redis unreachable), 2 bad usage or bad input.
 */
import { Command, CommanderError } from 'commander';
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Logger } from 'pino';
import { PersonData } from '../../adapters/redis/personData.ts';
import { RedisScheduleStore } from '../../adapters/redis/scheduleStore.ts';
import { listSlackInstallations } from '../../adapters/redis/slackInstallations.ts';
import { RedisIdentityStore, RedisStore } from '../../adapters/redis/store.ts';
import { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import { deliveringPlatforms, platformsFromSettings } from '../app/cliPlatforms.ts';
import { readEnv } from '../app/env.ts';
import { createLogger } from '../app/logging.ts';
import { DeliveryRuntime } from '../app/deliveryRuntime.ts';
import { slackInstallationsFor } from '../app/main.ts';
import { loadTexts } from '../app/prompts.ts';
import { connectRedis } from '../app/redis.ts';
import { redisTarget } from '../app/config.ts';
import { runRetention } from '../app/retention.ts';
import { SamlaError, isSamlaError } from '../core/errors.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, NetworkStore } from '../core/ports.ts';
import { registerAgendaCommand } from './agendaCommand.ts';
import { registerDeliveriesCommands } from './deliveriesCommand.ts';
import { registerDigestCommand } from './digestCommand.ts';
import { line, type CliContext, type Output } from './io.ts';
import { registerNetworkCommands } from './networkCommands.ts';
import { registerPersonCommands } from './personCommand.ts';
import { registerStartCommand } from './startCommand.ts';
import { registerTickCommand } from './tickCommand.ts';

export interface MainDeps {
  stdout?: Output;
  stderr?: Output;
  /** The environment (default: process.env); read once, here. */
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  now?: () => Date;
  /**
   * The chat platforms `samla tick --deliver` and `samla deliveries retry --deliver` send
   * through. Default: the ones the environment configures (../app/cliPlatforms.ts); tests may
   * pass recording fakes instead.
   */
  platforms?: Partial<Record<Platform, ChatPlatform>>;
  /** For `samla start`: resolves when the service should stop (default: SIGINT or SIGTERM). */
  untilStopped?: () => Promise<void>;
}

/** Runs one CLI invocation and returns its exit code. Never throws, never calls process.exit. */
export async function main(args: string[], deps: MainDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const settings = readEnv(deps.env);
  let redis: RedisClient | undefined;
  let store: NetworkStore | undefined;
  let delivery: DeliveryRuntime | undefined;
  let schedule: RedisScheduleStore | undefined;
  let logger: Logger | undefined;
  // JSON log lines on stderr: warnings and errors (a delivery that failed, and why) unless LOG_LEVEL says otherwise.
  const cliLogger = () => (logger ??= createLogger(settings.logLevelGiven ? ctx.config().logLevel : 'warn', { write: (s: string) => void stderr.write(s) }));

  const ctx: CliContext = {
    stdout,
    stderr,
    settings,
    cwd: deps.cwd ?? process.cwd(),
    now: deps.now ?? (() => new Date()),
    ...(deps.untilStopped ? { untilStopped: deps.untilStopped } : {}),
    config: () => settings.config,
    store: async () => {
      if (!store) {
        const cfg = ctx.config();
        redis = await connectRedis(redisTarget(cfg), { failFast: true });
        store = new RedisStore(redis, { prefix: cfg.redisPrefix });
      }
      return store;
    },
    personData: async () => {
      await ctx.store();
      return new PersonData(redis!, { prefix: ctx.config().redisPrefix });
    },
    teamsReferences: async () => {
      await ctx.store();
      return new TeamsReferenceStore(redis!, { prefix: ctx.config().redisPrefix });
    },
    slackInstallations: async () => {
      await ctx.store();
      return listSlackInstallations(redis!, ctx.config().redisPrefix);
    },
    retention: async (months) => {
      const s = await ctx.store();
      return runRetention(redis!, s, { prefix: ctx.config().redisPrefix, months, now: ctx.now() });
    },
    schedule: async () => {
      await ctx.store();
      return (schedule ??= new RedisScheduleStore(redis!, ctx.config().redisPrefix));
    },
    delivery: async () => {
      if (!delivery) {
        const s = await ctx.store();
        delivery = new DeliveryRuntime({
          redis: redis!,
          store: s,
          texts: loadTexts(),
          prefix: ctx.config().redisPrefix,
          clock: ctx.now,
          config: settings.scheduler,
          logger: cliLogger(),
        });
      }
      return delivery;
    },
    platforms: async () => {
      const cfg = ctx.config();
      // What the environment configures (checked before anything connects), unless a test passes its own.
      const fromEnv = deps.platforms ? [] : deliveringPlatforms(settings);
      let given = deps.platforms;
      if (!given && fromEnv.length > 0) {
        await ctx.store();
        given = platformsFromSettings({
          settings,
          store: store!,
          teamsReferences: new TeamsReferenceStore(redis!, { prefix: cfg.redisPrefix }),
          ...slackInstallationsFor(settings.slack, redis!, cfg.redisPrefix),
          identities: new RedisIdentityStore(redis!, { prefix: cfg.redisPrefix }),
          logger: cliLogger(),
          now: ctx.now,
        });
      }
      const configured = Object.entries(given ?? {}).filter(([, p]) => p);
      if (configured.length === 0) {
        throw new SamlaError(
          'INVALID_CONFIG',
          'No chat platform is configured for delivering here (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or TEAMS_APP_ID and TEAMS_APP_PASSWORD). Or leave out --deliver: the queued prompts are sent by the running Samla server (samla start).',
        );
      }
      return Object.fromEntries(configured);
    },
  };

  const program = new Command('samla')
    .description('Samla: learning networks of Norwegian municipalities, in Slack and Teams.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  registerNetworkCommands(program, ctx);
  registerAgendaCommand(program, ctx);
  registerStartCommand(program, ctx);
  registerTickCommand(program, ctx);
  registerDeliveriesCommands(program, ctx);
  registerDigestCommand(program, ctx);
  registerPersonCommands(program, ctx);

  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, stderr);
  } finally {
    if (delivery) await delivery.close().catch(() => {});
    if (redis) await redis.quit().catch(() => redis?.disconnect());
  }
}

/** The one place CLI errors become text and exit codes. */
function reportError(err: unknown, stderr: Output): number {
  if (err instanceof CommanderError) {
    // Help and version are not failures; commander has already printed its message.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
      return 0;
    }
    return 2;
  }
  if (isSamlaError(err)) {
    line(stderr, `samla: ${err.message}`);
    for (const d of err.details) line(stderr, `  ${d}`);
    switch (err.code) {
      case 'INVALID_INPUT':
      case 'INVALID_CONFIG':
      case 'NOT_FOUND':
        return 2;
      default:
        return 1;
    }
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  line(stderr, `samla: unexpected error: ${message}`);
  return 1;
}
