/**
 * The Slack adapter's HTTP part: a Bolt app whose ExpressReceiver is mounted on Samla's shared
 * Express app at `POST /slack/events`, one URL for slash commands, interactivity and the Events
 * API. Bolt checks `X-Slack-Signature` (v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the
 * signing secret) and rejects a bad signature or a timestamp over 5 minutes old with 401.
 *
 * Order of work per request: ack → the core's dispatcher (redelivery check, identity, journey;
 * src/core/dispatch/dispatcher.ts) → Slack calls (./inbound.ts), except for modal submissions,
 * whose ack carries the outcome, so the dispatcher runs first.
 *
 * The bot token is given to Bolt through `authorize` (no auth.test round trip per request): the
 * one SLACK_BOT_TOKEN, or, serving several workspaces, the installation of the request's
 * workspace (./workspaces.ts), installed through `GET /slack/install` → Slack → `GET
 * /slack/oauth_redirect` (@slack/oauth's InstallProvider, state checked against its cookie).
 * `app_uninstalled` and `tokens_revoked` (of the bot token) delete the installation. The
 * WebClient never retries by itself (./client.ts).
 *
 * With SLACK_APP_TOKEN the same listeners are fed by Bolt's SocketModeReceiver (a WebSocket
 * from `apps.connections.open`) instead of `POST /slack/events`; the install pages stay on
 * Samla's own HTTP server.
 */
import { App, ExpressReceiver, SocketModeReceiver, type AnyMiddlewareArgs, type Middleware, type Receiver, type RespondFn } from '@slack/bolt';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../src/core/dispatch/dispatcher.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import type { HttpPlugin } from '../../src/http/plugin.ts';
import type { RedisSlackInstallationStore } from '../redis/slackInstallations.ts';
import { webClientOptions } from './client.ts';
import type { SlackConfig, SlackSettings } from './config.ts';
import { SlackIdentity } from './identity.ts';
import { InstalledWorkspaces, SLACK_INSTALL_PATH, SLACK_REDIRECT_PATH, slackTokens, WorkspaceRoutes } from './workspaces.ts';
import { onAppHomeOpened, onBlockAction, onSlashCommand, onViewSubmission, type SlackInbound } from './inbound.ts';
import { boltLogger } from './logger.ts';
import { appHomeOpenedSchema, blockActionsSchema, checkedWith, rememberChecked, slashCommandSchema, viewSubmissionSchema } from './payloads.ts';
import { replyTo } from './replies.ts';
import { renderNotice } from './render.ts';

/** Where Slack sends everything: the Request URL of slash commands, interactivity and events. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Largest Slack request accepted; Slack's largest payloads (a modal's view_submission) are far smaller. */
export const SLACK_BODY_LIMIT = '1mb';

/** What the Slack plugin is given by the composition root (src/app/main.ts). */
export interface SlackPluginDeps {
  /** The Slack settings (src/app/env.ts). */
  slack: SlackSettings;
  /** The one path from every platform into the core. */
  dispatcher: Dispatcher;
  identities: IdentityStore;
  /** The networks: which workspace each person is in (`slack_team:`). */
  store: NetworkStore;
  /** Serving several workspaces: their installations (a Redis repository the root builds). */
  slackInstallations?: RedisSlackInstallationStore | undefined;
  journeys: Pick<JourneyContext, 'texts'>;
  logger: Logger;
}

/**
 * The Slack plugin for startServer(). Without Slack settings it mounts nothing and logs that
 * Slack is disabled.
 */
export function slackPlugin(deps: SlackPluginDeps): HttpPlugin {
  const settings = deps.slack;
  if (!settings.enabled) {
    return {
      name: 'slack (disabled)',
      mount() {
        deps.logger.info(`Slack is disabled: ${settings.reason}. Set both to serve ${SLACK_EVENTS_PATH}.`);
      },
    };
  }
  const pending = new Set<Promise<unknown>>();
  let bolt: App | undefined;
  const config = settings.config;
  return {
    name: 'slack',
    async mount(app) {
      bolt = mountSlack(app, deps, config, pending);
      const workspaces = config.oauth ? `several, installed at ${SLACK_INSTALL_PATH}` : 'one (SLACK_BOT_TOKEN)';
      if (config.appToken) {
        await bolt.start(); // Socket Mode: apps.connections.open, then the WebSocket
        deps.logger.info({ socketMode: true, workspaces, apiUrl: config.apiUrl }, 'Slack enabled over Socket Mode');
      } else {
        deps.logger.info({ path: SLACK_EVENTS_PATH, workspaces, apiUrl: config.apiUrl }, 'Slack enabled');
      }
    },
    // A graceful shutdown waits for the work that runs after the ack (journeys, Slack calls).
    async close() {
      if (config.appToken) await bolt?.stop();
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

/** Builds the Bolt app on `expressApp` (or on Socket Mode) and registers every listener. */
export function mountSlack(expressApp: Express, deps: SlackPluginDeps, config: SlackConfig, pending = new Set<Promise<unknown>>()): App {
  const logger = boltLogger(deps.logger);
  const tokens = slackTokens(config, { installations: deps.slackInstallations, texts: deps.journeys.texts }, logger);
  let receiver: Receiver;
  if (config.appToken) {
    receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } } });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is needed without Socket Mode');
    receiver = new ExpressReceiver({
      signingSecret: config.signingSecret,
      app: expressApp,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: false,
      // Refuse a body over the limit (413) before reading it whole (the server also checks Content-Length).
      bodyLimit: SLACK_BODY_LIMIT,
      logger,
    });
  }
  const bolt = new App({
    receiver,
    authorize: tokens.authorize,
    clientOptions: webClientOptions(config, logger),
    ignoreSelf: false, // Samla listens to no message events, so it never hears itself
    convoStore: false, // no conversation state: every payload carries what its journey needs
    logger,
  });
  const slackLogger = deps.logger.child({ component: 'slack' });
  const s: SlackInbound = {
    dispatcher: deps.dispatcher,
    identity: new SlackIdentity(deps.identities, deps.logger),
    texts: deps.journeys.texts,
    logger: slackLogger,
    ...(tokens instanceof InstalledWorkspaces ? { workspaces: new WorkspaceRoutes(deps.store) } : {}),
  };
  if (tokens instanceof InstalledWorkspaces) mountInstall(expressApp, tokens, slackLogger);

  // Every request's whole handling (also what runs after the ack) is tracked until it ends.
  bolt.use(async ({ next }) => {
    const work = next();
    pending.add(work);
    try {
      await work;
    } finally {
      pending.delete(work);
    }
  });
  bolt.use(answerMalformed(s));
  // answerMalformed has checked the payload; the listeners use what it parsed.
  bolt.command(/.*/, async ({ ack, body, client, respond, context }) => {
    await ack();
    await onSlashCommand(s, client, body, respond, checkedWith(context, slashCommandSchema));
  });
  bolt.action(/.*/, async ({ ack, body, client, respond, context }) => {
    await ack();
    await onBlockAction(s, client, body, respond, checkedWith(context, blockActionsSchema));
  });
  bolt.view(/.*/, async ({ ack, body, client, context }) => {
    const { ack: answer, after } = await onViewSubmission(s, client, body, checkedWith(context, viewSubmissionSchema));
    await ack(answer);
    await after?.();
  });
  bolt.event('app_home_opened', async ({ event, body, client }) => {
    const parsed = appHomeOpenedSchema.safeParse(event);
    if (!parsed.success) return void s.logger.warn({ issues: parsed.error.issues }, 'Slack: app_home_opened with an unexpected shape');
    await onAppHomeOpened(s, client, body, parsed.data.user, parsed.data.tab);
  });
  if (tokens instanceof InstalledWorkspaces) {
    // Slack sends these without a usable token (Bolt skips authorize for them).
    bolt.event('app_uninstalled', async ({ context }) => {
      await tokens.store.deleteInstallation(installationQuery(context));
      s.logger.info({ team: context.teamId, enterprise: context.enterpriseId }, 'Slack: a workspace uninstalled Samla; its installation is deleted');
    });
    bolt.event('tokens_revoked', async ({ event, context }) => {
      const bots = (event as { tokens?: { bot?: unknown[] } }).tokens?.bot ?? [];
      if (!bots.length) return; // only user tokens, which Samla does not keep
      await tokens.store.deleteInstallation(installationQuery(context));
      s.logger.info({ team: context.teamId, enterprise: context.enterpriseId }, 'Slack: the bot token was revoked; the installation is deleted');
    });
  }
  bolt.error(async (err) => {
    s.logger.error({ err }, 'Slack: unhandled error in a listener');
  });
  return bolt;
}

/** The installation a request's context belongs to. */
function installationQuery(context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }) {
  return context.isEnterpriseInstall && context.enterpriseId
    ? { teamId: undefined, enterpriseId: context.enterpriseId, isEnterpriseInstall: true as const }
    : { teamId: context.teamId!, enterpriseId: context.enterpriseId, isEnterpriseInstall: false as const };
}

/**
 * The install flow on Samla's own HTTP server: `GET /slack/install` sets the state cookie and
 * shows "Add to Slack"; Slack sends the admin back to `GET /slack/oauth_redirect`, where the code
 * is exchanged (`oauth.v2.access`) and the installation stored, once the state matches the cookie.
 */
function mountInstall(app: Express, tokens: InstalledWorkspaces, logger: Logger): void {
  const callback = tokens.callbackOptions(logger);
  app.get(SLACK_INSTALL_PATH, (req, res, next) => {
    tokens.provider.handleInstallPath(req, res).catch(next);
  });
  app.get(SLACK_REDIRECT_PATH, (req, res, next) => {
    tokens.provider.handleCallback(req, res, callback).catch(next);
  });
}

/**
 * Acknowledges a command or interaction whose shape Samla cannot use (no listener would match it,
 * so Bolt would leave it unanswered): the person hears what to do, nothing is stored. A payload
 * that fits is kept in the request's context, so its listener does not parse it a second time.
 */
function answerMalformed(s: SlackInbound): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: unknown; command?: unknown; response_url?: unknown };
    const schema =
      typeof body.command === 'string' ? slashCommandSchema : body.type === 'block_actions' ? blockActionsSchema : body.type === 'view_submission' ? viewSubmissionSchema : undefined;
    const check = schema?.safeParse(body);
    if (!check) return args.next();
    if (check.success) {
      rememberChecked(args.context, schema!, check.data);
      return args.next();
    }
    s.logger.warn({ type: body.type ?? body.command, issues: check.error.issues }, 'Slack: a request with an unexpected shape');
    const text = s.texts.t('nb', 'slack.bad_request');
    if ('ack' in args && typeof args.ack === 'function') {
      const ack = args.ack as (r?: unknown) => Promise<void>;
      await ack(body.type === 'view_submission' ? { response_action: 'update', view: renderNotice(s.texts.t('nb', 'home.title'), text) } : undefined);
    }
    if ('respond' in args && typeof args.respond === 'function' && typeof body.response_url === 'string') {
      await replyTo('', args.client, args.respond as RespondFn, s.logger)(text);
    }
  };
}
