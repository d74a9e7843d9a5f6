/**
 * Slack settings, read from the environment by the composition root (src/app/env.ts) and passed
 * to the Slack plugin and platform.
 *
 * - Neither SLACK_SIGNING_SECRET nor SLACK_BOT_TOKEN set: Slack is disabled (the plugin mounts
 *   nothing and says so in the log), so Samla runs with Teams only, or for the CLI.
 * - Only one of them set, or one malformed: a SamlaError INVALID_CONFIG naming the variable.
 * - SLACK_API_URL (optional) points the Web API client at another base URL: Slack's GovSlack
 *   host, or a fake Slack in tests. It always ends with "/" (the client appends method names).
 */

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  /** Base URL of the Web API, ending with "/". */
  apiUrl: string;
}

export type SlackSettings = { enabled: true; config: SlackConfig } | { enabled: false; reason: string };
