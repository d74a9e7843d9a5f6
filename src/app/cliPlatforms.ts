/**
 * The chat platforms a one-shot command (`samla tick --deliver`, `samla deliveries retry
 * --deliver`) sends through: the ones configured in the environment, built the way the running
 * server builds them. Slack when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set; Teams when it
 * has credentials (TEAMS_APP_ID and TEAMS_APP_PASSWORD). Anonymous Teams is left out: it answers
 * only the local chat or an emulator of a running server, which this process is not.
 */
import { CloudAdapter } from '@microsoft/agents-hosting';
import type { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import type { Logger } from 'pino';
import type { SlackSettings } from '../../adapters/slack/config.ts';
import { SlackPlatform } from '../../adapters/slack/platform.ts';
import { authConfiguration, type TeamsConfig } from '../../adapters/teams/config.ts';
import { TenantGate } from '../../adapters/teams/tenants.ts';
import { TeamsPlatform } from '../../adapters/teams/platform.ts';
import type { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, IdentityStore, NetworkStore } from '../core/ports.ts';

/** The settings this needs (src/app/env.ts reads them; a malformed one throws INVALID_CONFIG there). */
export interface PlatformSettings {
  slack: SlackSettings;
  teams: TeamsConfig;
}

/** Which platforms the settings configure for delivering. */
export function deliveringPlatforms(settings: PlatformSettings): Platform[] {
  const out: Platform[] = [];
  if (settings.slack.enabled) out.push('slack');
  if (settings.teams.auth.mode === 'authenticated') out.push('teams');
  return out;
}

/** The configured platforms, on the repositories the composition root (src/cli/main.ts) builds. */
export function platformsFromSettings(deps: {
  settings: PlatformSettings;
  store: NetworkStore;
  teamsReferences: TeamsReferenceStore;
  /** Serving several Slack workspaces (SLACK_CLIENT_ID…): their installations. */
  slackInstallations?: RedisSlackInstallationStore | undefined;
  identities: IdentityStore;
  logger: Logger;
  now: () => Date;
}): Partial<Record<Platform, ChatPlatform>> {
  const out: Partial<Record<Platform, ChatPlatform>> = {};
  const slack = deps.settings.slack;
  if (slack.enabled) {
    out.slack = SlackPlatform.create(slack.config, deps.identities, deps.logger.child({ adapter: 'slack' }), { store: deps.store, installations: deps.slackInstallations });
  }
  const teams = deps.settings.teams;
  if (teams.auth.mode === 'authenticated') {
    const adapter = new CloudAdapter(authConfiguration(teams), undefined, undefined, { validateServiceUrl: true });
    const refs = deps.teamsReferences;
    const logger = deps.logger.child({ adapter: 'teams' });
    const tenants = new TenantGate({ store: deps.store, config: teams, logger, now: deps.now });
    out.teams = new TeamsPlatform({ adapter, auth: teams.auth, refs, tenants, store: deps.store, logger, now: deps.now });
  }
  return out;
}
