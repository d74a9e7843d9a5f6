/**
 * Slack settings from the environment, validated once when the Slack plugin is built.
 *
 * - Neither SLACK_SIGNING_SECRET nor SLACK_BOT_TOKEN set: Slack is disabled (the plugin mounts
 *   nothing and says so in the log), so Samla runs with Teams only, or for the CLI.
 * - Only one of them set, or one malformed: a SamlaError INVALID_CONFIG naming the variable.
 * - SLACK_API_URL (optional) points the Web API client at another base URL: Slack's GovSlack
 *   host, or a fake Slack in tests. It always ends with "/" (the client appends method names).
 */
import { z } from 'zod';
import { SamlaError } from '../../src/core/errors.ts';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  /** Base URL of the Web API, ending with "/". */
  apiUrl: string;
}

export type SlackSettings = { enabled: true; config: SlackConfig } | { enabled: false; reason: string };

const schema = z.object({
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^\S{8,}$/, 'must be the app’s Signing Secret (Basic Information → App Credentials), without spaces'),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-\S+$/, 'must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token)'),
  SLACK_API_URL: z
    .string()
    .refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'must be an http(s) URL such as https://slack.com/api/')
    .transform((v) => (v.endsWith('/') ? v : `${v}/`))
    .optional(),
});

/** Reads the Slack settings; empty strings count as unset. Throws INVALID_CONFIG when malformed. */
export function readSlackConfig(env: NodeJS.ProcessEnv): SlackSettings {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const secret = value('SLACK_SIGNING_SECRET');
  const token = value('SLACK_BOT_TOKEN');
  if (!secret && !token) {
    return { enabled: false, reason: 'SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are not set' };
  }
  const missing = !secret ? 'SLACK_SIGNING_SECRET' : !token ? 'SLACK_BOT_TOKEN' : undefined;
  if (missing) {
    throw new SamlaError('INVALID_CONFIG', 'The Slack settings are incomplete:', {
      details: [`${missing} is not set: set both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or neither to run without Slack`],
    });
  }
  const parsed = schema.safeParse({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: token, SLACK_API_URL: value('SLACK_API_URL') });
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'The Slack settings are not valid; fix these variables:', {
      details: parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        // Never print a secret or a token; the URL is safe to show.
        const shown = name === 'SLACK_API_URL' ? `=${JSON.stringify(env[name])}` : '';
        return `${name}${shown}: ${i.message}`;
      }),
    });
  }
  const e = parsed.data;
  return {
    enabled: true,
    config: { signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL ?? DEFAULT_SLACK_API_URL },
  };
}
