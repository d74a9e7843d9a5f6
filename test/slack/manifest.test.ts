/**
 * manifest.slack.yml agrees with the adapter: the commands it handles, one Request URL at the
 * path Samla serves, the event it listens to, and the scopes of the Web API methods it calls.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../adapters/slack/app.ts';

const manifest = parse(readFileSync(fileURLToPath(new URL('../../manifest.slack.yml', import.meta.url)), 'utf8'));

describe('manifest.slack.yml', () => {
  it('declares /status and /samla, the App Home, app_home_opened and interactivity at /slack/events', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/status', '/samla']);
    const urls = [
      ...manifest.features.slash_commands.map((c: { url: string }) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    for (const u of urls) expect(new URL(u).pathname).toBe(SLACK_EVENTS_PATH);
    expect(new Set(urls).size).toBe(1);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks for the scopes of every Web API method Samla calls', () => {
    // users.info / users.lookupByEmail → users:read(.email); conversations.open → im:write;
    // chat.postMessage / chat.update → chat:write; views.* need no scope beyond the bot token.
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email']));
  });
});
