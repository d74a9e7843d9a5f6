/**
 * The Teams adapter on the Microsoft 365 Agents SDK (`@microsoft/agents-hosting`, the official
 * successor of `botbuilder`): `POST /api/messages` on the shared Express app, and the
 * TeamsPlatform the scheduler sends through.
 *
 * A request goes: the SDK's JWT check (`authorizeJWT` via `CloudAdapter.authorizeRequest`;
 * anonymous when no app id is configured) → JSON body parsing with a size limit, on this route
 * only → zod validation of the activity (400 when it is not one) → `CloudAdapter.process` → the
 * turn (./turn.ts). The SDK answers 200 once the turn is done, or the invoke response.
 */
import { CloudAdapter } from '@microsoft/agents-hosting';
import { isLocalRequest, isLoopbackUrl } from '../../src/http/localRequest.ts';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../src/core/dispatch/dispatcher.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import type { HttpPlugin } from '../../src/http/plugin.ts';
import { inboundActivitySchema } from './activity.ts';
import { type TeamsConfig, authConfiguration } from './config.ts';
import { TeamsPlatform } from './platform.ts';
import type { TeamsReferenceStore } from '../redis/teamsReferences.ts';
import { type TenantPolicy, TenantGate, activityTenant, admits, describePolicy, fallbackPolicy } from './tenants.ts';
import { type TurnServices, handleTurn } from './turn.ts';

export const TEAMS_ROUTE = '/api/messages';

/**
 * Activities Samla refuses before reading them: in anonymous mode a `serviceUrl` that is not on
 * this machine (replies would go to someone else's server); an activity from a tenant the policy
 * does not admit (./tenants.ts; by default the policy without network files: the home tenant, or
 * any when anonymous).
 */
export function refuseActivity(
  config: TeamsConfig,
  activity: { serviceUrl: string; channelData?: unknown; conversation?: { tenantId?: string } },
  policy: TenantPolicy = fallbackPolicy(config),
) {
  if (config.auth.mode === 'anonymous' && !isLoopbackUrl(activity.serviceUrl)) {
    return { error: 'service_url_not_local', message: 'Without credentials Samla only answers a serviceUrl on this machine.' };
  }
  if (!admits(policy, activityTenant(activity))) return WRONG_TENANT;
  return undefined;
}

const WRONG_TENANT = { error: 'wrong_tenant', message: 'Samla does not serve this Microsoft 365 tenant: no network names it.' } as const;

export interface TeamsPlugin extends HttpPlugin {
  config: TeamsConfig;
  /** Proactive messages (the scheduler's way out to Teams). */
  platform: TeamsPlatform;
  /** Conversation references (who cannot be reached is in the store: `store.listUnreachable(networkId)`). */
  references: TeamsReferenceStore;
  /** Which tenants Samla answers, and who is who in which tenant. */
  tenants: TenantGate;
  /** Resolves when the background work started so far (roster syncs) has finished. */
  idle(): Promise<void>;
}

/** What the Teams plugin is given by the composition root (src/app/main.ts). */
export interface TeamsPluginDeps {
  /** The Teams settings (src/app/env.ts, which refuses anonymous mode in production). */
  teams: TeamsConfig;
  /** The one path from every platform into the core. */
  dispatcher: Dispatcher;
  journeys: JourneyContext;
  store: NetworkStore;
  identities: IdentityStore;
  /** Where Samla can reach people and channels in Teams (a Redis repository the root builds). */
  teamsReferences: TeamsReferenceStore;
  logger: Logger;
}

/** Builds the Teams plugin: the endpoint, and the platform the scheduler sends through. */
export function teamsPlugin(deps: TeamsPluginDeps): TeamsPlugin {
  const config = deps.teams;
  // With credentials, an activity whose serviceUrl differs from its token's `serviceurl` claim is
  // refused (400), so a valid token cannot make Samla call some other host.
  const adapter = new CloudAdapter(authConfiguration(config), undefined, undefined, { validateServiceUrl: config.auth.mode === 'authenticated' });
  const logger = deps.logger.child({ adapter: 'teams' });
  adapter.onTurnError = async (_context, error) => {
    logger.error({ err: error }, 'Unhandled error in a Teams turn');
  };
  const references = deps.teamsReferences;
  const tenants = new TenantGate({ store: deps.store, config, logger, now: deps.journeys.now });
  const pending = new Set<Promise<unknown>>();
  const services: TurnServices = {
    adapter,
    dispatcher: deps.dispatcher,
    journeys: deps.journeys,
    store: deps.store,
    identities: deps.identities,
    refs: references,
    tenants,
    logger,
    recentSyncs: new Map(),
    background(label, work) {
      const p = work()
        .catch((err: unknown) => logger.error({ err, label }, 'Background Teams work failed'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
  };
  const platform = new TeamsPlatform({ adapter, auth: config.auth, refs: references, tenants, store: deps.store, logger, now: deps.journeys.now });

  const authorize: RequestHandler = (req, res, next) => {
    // Without credentials nothing proves who is calling, so only this machine may call (the
    // demo's Direct Line bridge, the Bot Framework Emulator, tests): anyone else could claim any
    // identity and point Samla's replies at a server of their own.
    if (config.auth.mode === 'anonymous' && !isLocalRequest(req)) {
      res.status(403).json({
        error: 'anonymous_local_only',
        message: 'Teams runs without credentials, so only requests from this machine are accepted. Set TEAMS_APP_ID and TEAMS_APP_PASSWORD to serve Microsoft Teams.',
      });
      return;
    }
    adapter.authorizeRequest(req as never, res, next).catch(next);
  };

  const receive: RequestHandler = async (req, res) => {
    const parsed = inboundActivitySchema.safeParse(req.body);
    let refusal = parsed.success ? refuseActivity(config, parsed.data, { kind: 'any' }) : undefined;
    if (parsed.success && !refusal) {
      // Another tenant gets no answer and changes nothing (the gate logs it, once an hour).
      let admitted: boolean;
      try {
        admitted = await tenants.admit(activityTenant(parsed.data), { conversation: parsed.data.conversation.id, type: parsed.data.type });
      } catch (err) {
        // Redis is down: the network files cannot be read; the configured tenants still decide.
        logger.error({ err }, 'Reading the tenants of the network files failed; answering the configured tenants only');
        admitted = admits(fallbackPolicy(config), activityTenant(parsed.data));
      }
      if (!admitted) refusal = WRONG_TENANT;
    }
    if (refusal) {
      res.status(403).json(refusal);
      return;
    }
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid_activity',
        message: 'The body is not a Bot Framework activity Samla can read.',
        details: parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
      });
      return;
    }
    try {
      await adapter.process(req as never, res, (context) => handleTurn(services, context, parsed.data));
    } catch (err) {
      logger.error({ err }, 'The Agents SDK could not process a Teams activity');
      if (!res.headersSent) res.status(400).json({ error: 'unprocessable_activity', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const bodyErrors: ErrorRequestHandler = (err: { status?: number; type?: string; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err.status === 413 ? 413 : err.status && err.status < 500 ? err.status : 500;
    res.status(status).json({
      error: status === 413 ? 'body_too_large' : status === 500 ? 'internal' : 'invalid_body',
      message: status === 413 ? `The activity is larger than ${config.bodyLimit}.` : status === 500 ? 'Samla failed to handle the request.' : 'The body must be JSON.',
    });
  };

  return {
    name: 'teams',
    config,
    platform,
    references,
    tenants,
    mount(app: Express) {
      if (config.auth.mode === 'anonymous') {
        logger.warn(
          'Teams runs ANONYMOUSLY: Bot Framework tokens are not checked. For local use only; set TEAMS_APP_ID and TEAMS_APP_PASSWORD to validate them (anonymous mode is refused with NODE_ENV=production).',
        );
      } else {
        logger.info(
          { appId: config.auth.appId, tenantId: config.auth.tenantId, more: config.auth.extra.map((r) => ({ appId: r.appId, tenantId: r.tenantId })) },
          'Teams validates Bot Framework tokens for these app ids; tokens for sending come from each app registration\'s home tenant',
        );
      }
      const announced = tenants
        .snapshot()
        .then((s) => (s.policy.kind === 'only' && s.policy.source === 'none' ? logger.warn(describePolicy(s.policy)) : logger.info(describePolicy(s.policy))))
        .catch((err: unknown) => logger.error({ err }, 'Reading the tenants of the network files failed at start'))
        .finally(() => pending.delete(announced));
      pending.add(announced);
      app.post(TEAMS_ROUTE, authorize, express.json({ limit: config.bodyLimit }), receive, bodyErrors);
    },
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    async close() {
      await this.idle();
    },
  };
}
