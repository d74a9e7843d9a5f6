/**
 * What the composition root (./main.ts) builds once and hands on: the settings, the store and
 * repositories, the dispatcher, the logger. Each plugin takes the part it needs (its own `…Deps`
 * type: adapters/slack/app.ts, adapters/teams/app.ts, src/web/plugin.ts). No Redis connection
 * is in here: the root keeps it, and gives it only to the infrastructure it starts (the
 * scheduler and its delivery runtime, retention, metrics).
 */
import type { Logger } from 'pino';
import type { RedisDemoData } from '../../adapters/redis/demoData.ts';
import type { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import type { SlackSettings } from '../../adapters/slack/config.ts';
import type { TeamsConfig } from '../../adapters/teams/config.ts';
import type { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import type { Dispatcher } from '../core/dispatch/dispatcher.ts';
import type { JourneyContext } from '../core/journeys/context.ts';
import type { IdentityStore, NetworkStore, SessionRevocations } from '../core/ports.ts';
import type { WebConfig } from '../web/config.ts';
import type { Config } from './config.ts';
import type { Metrics } from './metrics.ts';

export interface AppDeps {
  config: Config;
  slack: SlackSettings;
  teams: TeamsConfig;
  web: WebConfig;
  /** Readiness (/readyz): resolves when Redis answers PING. */
  redisPing(): Promise<unknown>;
  store: NetworkStore;
  identities: IdentityStore;
  teamsReferences: TeamsReferenceStore;
  /** Dashboard sessions signed out before they expire. */
  revokedSessions: SessionRevocations;
  /** Serving several Slack workspaces: their installations. */
  slackInstallations?: RedisSlackInstallationStore;
  /** The local demo's records: its clock, starting over (./demo.ts). */
  demo: RedisDemoData;
  journeys: JourneyContext;
  logger: Logger;
  /** Prometheus metrics (./metrics.ts); without it /metrics answers 404. */
  metrics?: Metrics;
  /** The one path from every platform into the core (redeliveries, identity, journeys). */
  dispatcher: Dispatcher;
}
