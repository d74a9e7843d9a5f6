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
 * The bot token is given to Bolt through `authorize` (no auth.test round trip per request); the
 * WebClient never retries by itself (./client.ts).
 */
import { App, ExpressReceiver, type AnyMiddlewareArgs, type Middleware, type RespondFn } from '@slack/bolt';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../src/core/dispatch/dispatcher.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import type { IdentityStore } from '../../src/core/ports.ts';
import type { HttpPlugin } from '../../src/http/plugin.ts';
import { webClientOptions } from './client.ts';
import type { SlackConfig, SlackSettings } from './config.ts';
import { SlackIdentity } from './identity.ts';
import { onAppHomeOpened, onBlockAction, onSlashCommand, onViewSubmission, type SlackInbound } from './inbound.ts';
import { boltLogger } from './logger.ts';
import { appHomeOpenedSchema, blockActionsSchema, slashCommandSchema, viewSubmissionSchema } from './payloads.ts';
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
  return {
    name: 'slack',
    mount(app) {
      mountSlack(app, deps, settings.config, pending);
      deps.logger.info({ path: SLACK_EVENTS_PATH, apiUrl: settings.config.apiUrl }, 'Slack enabled');
    },
    // A graceful shutdown waits for the work that runs after the ack (journeys, Slack calls).
    async close() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

/** Builds the Bolt app on `expressApp` and registers every listener. */
export function mountSlack(expressApp: Express, deps: SlackPluginDeps, config: SlackConfig, pending = new Set<Promise<unknown>>()): App {
  const logger = boltLogger(deps.logger);
  const receiver = new ExpressReceiver({
    signingSecret: config.signingSecret,
    app: expressApp,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: false,
    // Refuse a body over the limit (413) before reading it whole (the server also checks Content-Length).
    bodyLimit: SLACK_BODY_LIMIT,
    logger,
  });
  const bolt = new App({
    receiver,
    authorize: async () => ({ botToken: config.botToken }),
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
  };

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
  bolt.command(/.*/, async ({ ack, body, client, respond }) => {
    await ack();
    await onSlashCommand(s, client, body, respond);
  });
  bolt.action(/.*/, async ({ ack, body, client, respond }) => {
    await ack();
    await onBlockAction(s, client, body, respond);
  });
  bolt.view(/.*/, async ({ ack, body, client }) => {
    const { ack: answer, after } = await onViewSubmission(s, client, body);
    await ack(answer);
    await after?.();
  });
  bolt.event('app_home_opened', async ({ event, body, client }) => {
    const parsed = appHomeOpenedSchema.safeParse(event);
    if (!parsed.success) return void s.logger.warn({ issues: parsed.error.issues }, 'Slack: app_home_opened with an unexpected shape');
    await onAppHomeOpened(s, client, body, parsed.data.user, parsed.data.tab);
  });
  bolt.error(async (err) => {
    s.logger.error({ err }, 'Slack: unhandled error in a listener');
  });
  return bolt;
}

/**
 * Acknowledges a command or interaction whose shape Samla cannot use (no listener would match it,
 * so Bolt would leave it unanswered): the person hears what to do, nothing is stored.
 */
function answerMalformed(s: SlackInbound): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: unknown; command?: unknown; response_url?: unknown };
    const schema =
      typeof body.command === 'string' ? slashCommandSchema : body.type === 'block_actions' ? blockActionsSchema : body.type === 'view_submission' ? viewSubmissionSchema : undefined;
    const check = schema?.safeParse(body);
    if (!check || check.success) return args.next();
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
