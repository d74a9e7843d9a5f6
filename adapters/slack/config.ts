/**
 * Slack settings, read from the environment by the composition root (src/app/env.ts) and passed
 * to the Slack plugin and platform.
 *
 * Two ways to reach Slack, never both:
 * - one workspace: SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (`xoxb-…`), as before;
 * - several workspaces (a learning network whose municipalities each have their own Slack):
 *   SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for the OAuth v2 install flow
 *   (`/slack/install`), and SAMLA_SECRET_KEY to encrypt the installations' tokens in Redis.
 *
 * With SLACK_APP_TOKEN (`xapp-…`) Samla receives commands, clicks and events over Socket Mode
 * (an outgoing WebSocket) instead of at `POST /slack/events`, so it needs no public address; the
 * signing secret is then not used and may be left out.
 *
 * - Nothing of it set: Slack is disabled (the plugin mounts nothing and says so in the log), so
 *   Samla runs with Teams only, or for the CLI.
 * - Something missing or malformed: a SamlaError INVALID_CONFIG naming the variable, never
 *   printing a secret.
 * - SLACK_API_URL (optional) points the Web API client at another base URL: Slack's GovSlack
 *   host, or a fake Slack in tests. It always ends with "/" (the client appends method names).
 *   The install page's Slack address is derived from it (`…/oauth/v2/authorize`).
 *
 * The composition root reads the variables once (src/app/env.ts, which checks each with zod);
 * `slackConfigFrom` here only decides what they mean together.
 */
import { SamlaError } from '../../src/core/errors.ts';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** The OAuth v2 install flow, for serving several workspaces. */
export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the install flow's `state` (CSRF protection), at least 16 characters. */
  stateSecret: string;
  /** 32 bytes: the AES-256-GCM key of the installations' tokens at rest. */
  secretKey: Buffer;
  /** The Redirect URL registered with the app, when it must be named (several are registered). */
  redirectUri?: string;
  /** Slack's authorize page, derived from SLACK_API_URL. */
  authorizationUrl: string;
}

export interface SlackConfig {
  /** Checks each HTTP request's X-Slack-Signature; unused (and optional) in Socket Mode. */
  signingSecret?: string;
  /** One workspace: its bot token. Exactly one of `botToken` and `oauth` is set. */
  botToken?: string;
  /** Several workspaces: the install flow and the encrypted installation store. */
  oauth?: SlackOAuthConfig;
  /** Socket Mode's app-level token (`xapp-…`); events then arrive over a WebSocket. */
  appToken?: string;
  /** Base URL of the Web API, ending with "/". */
  apiUrl: string;
}

export type SlackSettings = { enabled: true; config: SlackConfig } | { enabled: false; reason: string };

/** The Slack variables as src/app/env.ts parsed them; nothing combined yet. */
export interface SlackEnv {
  SLACK_SIGNING_SECRET?: string;
  SLACK_BOT_TOKEN?: string;
  /** Ends with "/". */
  SLACK_API_URL?: string;
  SLACK_CLIENT_ID?: string;
  SLACK_CLIENT_SECRET?: string;
  SLACK_STATE_SECRET?: string;
  SLACK_REDIRECT_URI?: string;
  SLACK_APP_TOKEN?: string;
  /** The 32-byte key, decoded. */
  SAMLA_SECRET_KEY?: Buffer;
}

const incomplete = (details: string[]) => new SamlaError('INVALID_CONFIG', 'The Slack settings are incomplete:', { details });

/** The Slack settings: disabled, one workspace, or several (see the module comment). */
export function slackConfigFrom(e: SlackEnv): SlackSettings {
  const oauthVars = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
  const anyOAuth = oauthVars.some((n) => e[n] !== undefined);
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_BOT_TOKEN && !anyOAuth && !e.SLACK_APP_TOKEN) {
    return { enabled: false, reason: 'SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are not set' };
  }
  const apiUrl = e.SLACK_API_URL ?? DEFAULT_SLACK_API_URL;
  if (e.SLACK_BOT_TOKEN && anyOAuth) {
    throw incomplete([
      'SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: use SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for several, not both',
    ]);
  }
  const problems: string[] = [];
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push('SLACK_SIGNING_SECRET is not set: Slack’s requests are checked with it (or set SLACK_APP_TOKEN to use Socket Mode instead)');
  }
  let oauth: SlackOAuthConfig | undefined;
  if (anyOAuth) {
    for (const n of oauthVars) if (!e[n]) problems.push(`${n} is not set: the install flow for several workspaces needs ${oauthVars.join(', ')}`);
    if (!e.SAMLA_SECRET_KEY) problems.push('SAMLA_SECRET_KEY is not set: the installations’ tokens are encrypted with it in Redis (for example `openssl rand -hex 32`)');
    if (!problems.length) {
      oauth = {
        clientId: e.SLACK_CLIENT_ID!,
        clientSecret: e.SLACK_CLIENT_SECRET!,
        stateSecret: e.SLACK_STATE_SECRET!,
        secretKey: e.SAMLA_SECRET_KEY!,
        authorizationUrl: new URL('../oauth/v2/authorize', apiUrl).toString(),
        ...(e.SLACK_REDIRECT_URI ? { redirectUri: e.SLACK_REDIRECT_URI } : {}),
      };
    }
  } else if (!e.SLACK_BOT_TOKEN) {
    problems.push(
      'SLACK_BOT_TOKEN is not set: set both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN for one workspace, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for several, or neither to run without Slack',
    );
  }
  if (problems.length) throw incomplete(problems);
  return {
    enabled: true,
    config: {
      apiUrl,
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN } : {}),
      ...(oauth ? { oauth } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    },
  };
}
