/**
 * The chat platforms a one-shot command (`samla tick --deliver`, `samla deliveries retry
 * --deliver`) sends through: the ones configured in the environment, built the way the running
 * server builds them. Slack when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set; Teams when it
 * has credentials (TEAMS_APP_ID and TEAMS_APP_PASSWORD). Anonymous Teams is left out: it answers
 * only the local chat or an emulator of a running server, which this process is not.
 */
import { CloudAdapter } from '@microsoft/agents-hosting';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { readSlackConfig } from '../../adapters/slack/config.ts';
import { SlackPlatform } from '../../adapters/slack/platform.ts';
import { authConfiguration, readTeamsConfig } from '../../adapters/teams/config.ts';
import { TenantGate } from '../../adapters/teams/tenants.ts';
import { TeamsPlatform } from '../../adapters/teams/platform.ts';
import { TeamsReferenceStore } from '../../adapters/teams/references.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, IdentityStore, NetworkStore } from '../core/ports.ts';

/** Which platforms the environment configures for delivering; throws INVALID_CONFIG when a setting is malformed. */
export function deliveringPlatforms(env: NodeJS.ProcessEnv, nodeEnv: string): Platform[] {
  const out: Platform[] = [];
  if (readSlackConfig(env).enabled) out.push('slack');
  if (readTeamsConfig(env, nodeEnv).auth.mode === 'authenticated') out.push('teams');
  return out;
}

/** The configured platforms, on the given Redis connection and store. */
export function platformsFromEnv(deps: {
  env: NodeJS.ProcessEnv;
  nodeEnv: string;
  redis: Redis;
  prefix: string;
  store: NetworkStore;
  identities: IdentityStore;
  logger: Logger;
  now: () => Date;
}): Partial<Record<Platform, ChatPlatform>> {
  const out: Partial<Record<Platform, ChatPlatform>> = {};
  const slack = readSlackConfig(deps.env);
  if (slack.enabled) out.slack = SlackPlatform.create(slack.config, deps.identities, deps.logger.child({ adapter: 'slack' }));
  const teams = readTeamsConfig(deps.env, deps.nodeEnv);
  if (teams.auth.mode === 'authenticated') {
    const adapter = new CloudAdapter(authConfiguration(teams), undefined, undefined, { validateServiceUrl: true });
    const refs = new TeamsReferenceStore(deps.redis, { prefix: deps.prefix });
    const logger = deps.logger.child({ adapter: 'teams' });
    const tenants = new TenantGate({ store: deps.store, config: teams, logger, now: deps.now });
    out.teams = new TeamsPlatform({ adapter, auth: teams.auth, refs, tenants, store: deps.store, logger, now: deps.now });
  }
  return out;
}
