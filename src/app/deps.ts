/**
 * What the composition root (./main.ts) builds once and hands on: the settings, the store and
 * repositories, the dispatcher, the logger. Each plugin takes the part it needs (its own `…Deps`
 * type: adapters/slack/app.ts, adapters/teams/app.ts, src/web/plugin.ts); none of them is
 * given `redis`, which only the demo (./demo.ts) and the scheduler still use directly.
 */
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Logger } from 'pino';
import type { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import type { SlackSettings } from '../../adapters/slack/config.ts';
import type { TeamsConfig } from '../../adapters/teams/config.ts';
import type { TeamsReferenceStore } from '../../adapters/teams/references.ts';
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
  redis: RedisClient;
  store: NetworkStore;
  identities: IdentityStore;
  teamsReferences: TeamsReferenceStore;
  /** Dashboard sessions signed out before they expire. */
  revokedSessions: SessionRevocations;
  /** Serving several Slack workspaces: their installations. */
  slackInstallations?: RedisSlackInstallationStore;
  journeys: JourneyContext;
  logger: Logger;
  /** Prometheus metrics (./metrics.ts); without it /metrics answers 404. */
  metrics?: Metrics;
  /** The one path from every platform into the core (redeliveries, identity, journeys). */
  dispatcher: Dispatcher;
}
