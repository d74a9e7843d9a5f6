/**
 * manifest.slack.network.yml (several workspaces) agrees with the adapter: the scopes the
 * install flow asks for, the redirect path Samla serves, the events that delete an
 * installation, token rotation; and otherwise the same app as manifest.slack.yml.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLACK_BOT_SCOPES, SLACK_REDIRECT_PATH } from '../../adapters/slack/workspaces.ts';

const read = (name: string) => parse(readFileSync(fileURLToPath(new URL(`../../${name}`, import.meta.url)), 'utf8'));
const single = read('manifest.slack.yml');
const network = read('manifest.slack.network.yml');

describe('manifest.slack.network.yml', () => {
  it('asks for the scopes the install flow requests, the same as the one-workspace app', () => {
    expect(network.oauth_config.scopes.bot).toEqual([...SLACK_BOT_SCOPES]);
    expect(single.oauth_config.scopes.bot).toEqual([...SLACK_BOT_SCOPES]);
  });

  it('registers the redirect path, the uninstall events and token rotation', () => {
    expect(network.oauth_config.redirect_urls.map((u: string) => new URL(u).pathname)).toEqual([SLACK_REDIRECT_PATH]);
    expect(network.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
    expect(network.settings.token_rotation_enabled).toBe(true);
    expect(network.features).toEqual(single.features);
    expect(network.settings.interactivity).toEqual(single.settings.interactivity);
  });
});
