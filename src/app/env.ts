/**
 * The environment, read once. This is the only module that reads `process.env` (a test,
 * test/layering.test.ts, keeps it so): the composition roots (src/cli/main.ts for every `samla`
 * command, src/app/main.ts for the service, scripts/teams-package.ts) call `readEnv()` once
 * and pass typed settings on. Every variable is in README.md's table.
 *
 * One zod schema, `envSchema`, holds every variable, grouped in sections by what uses them.
 * Each section is checked the first time it is asked for, so a one-shot command that needs no
 * Slack is not stopped by a wrong Slack setting; `samla start` asks for every section before
 * anything starts (`checkAll`). A wrong setting is a SamlaError INVALID_CONFIG whose details
 * name the variable and what it expects (never the value of a secret). Empty strings count as
 * unset.
 */
import { z } from 'zod';
import { parseSecretKey } from '../../adapters/redis/secretBox.ts';
import { slackConfigFrom, type SlackEnv, type SlackSettings } from '../../adapters/slack/config.ts';
import type { PackageSettings } from '../../adapters/teams/appPackage.ts';
import { teamsConfigFrom, type TeamsConfig, type TeamsEnv } from '../../adapters/teams/config.ts';
import { SamlaError } from '../core/errors.ts';
import type { WebConfig } from '../web/config.ts';
import { LOG_LEVELS, NODE_ENVS, type Config } from './config.ts';
import { metricsPortSchema, trustProxySchema } from './exposureConfig.ts';
import { DEFAULT_RETENTION_MONTHS, RETENTION_MONTHS_PROBLEM, retentionMonths, type RetentionConfig } from './retention.ts';
import { DEFAULT_SCHEDULER_CONFIG as D, type SchedulerConfig } from './schedulerConfig.ts';

const url = (check: (u: URL) => boolean, message: string) =>
  z.string().refine((v) => {
    try {
      return check(new URL(v));
    } catch {
      return false;
    }
  }, message);

/** A comma-separated list of host:port (Redis Cluster seeds, Sentinels). */
const hostPorts = (name: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const out: { host: string; port: number }[] = [];
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(part);
        const port = Number(m?.[2]);
        if (!m || port < 1 || port > 65535) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not host:port; give ${name} as a comma-separated list, e.g. 10.0.0.1:6379,10.0.0.2:6379` });
          return z.NEVER;
        }
        out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
      }
      if (!out.length) {
        ctx.addIssue({ code: 'custom', message: `give at least one host:port, e.g. 10.0.0.1:6379` });
        return z.NEVER;
      }
      return out;
    });

const int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const https = z.string().trim().pipe(url((u) => u.protocol === 'https:', 'must be an https:// address'));

const APP_ID_MESSAGE = 'must be the app (client) id of the bot, a GUID like 00000000-0000-0000-0000-000000000000';
const TENANT_MESSAGE = 'must be the directory (tenant) id, a GUID like 00000000-0000-0000-0000-000000000000';
const guid = (message: string) => z.string().trim().regex(GUID, message).transform((v) => v.toLowerCase());

/** One more Teams app registration, as written in TEAMS_CONNECTIONS. */
const teamsConnection = z
  .strictObject({
    app_id: guid(APP_ID_MESSAGE),
    tenant_id: guid(TENANT_MESSAGE),
    secret: z.string().min(1).optional(),
    cert_pem_file: z.string().min(1).optional(),
    cert_key_file: z.string().min(1).optional(),
    federated_client_id: guid('must be the client id of a managed identity, a GUID').optional(),
  })
  .superRefine((c, ctx) => {
    const kinds = [c.secret !== undefined, c.cert_pem_file !== undefined || c.cert_key_file !== undefined, c.federated_client_id !== undefined].filter(Boolean).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one credential: secret, cert_pem_file with cert_key_file, or federated_client_id' });
    if ((c.cert_pem_file === undefined) !== (c.cert_key_file === undefined)) ctx.addIssue({ code: 'custom', message: 'a certificate needs both cert_pem_file and cert_key_file' });
  });

const teamsConnections = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON; write a list like [{"app_id":"…","tenant_id":"…","secret":"…"}] on one line' });
      return z.NEVER;
    }
  })
  .pipe(z.array(teamsConnection, { error: 'must be a JSON list of app registrations, like [{"app_id":"…","tenant_id":"…","secret":"…"}]' }));

const teamsTenantList = z
  .string()
  .transform((text) => text.split(',').map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(GUID, 'write tenant ids (GUIDs) separated by commas')).transform((ts) => [...new Set(ts.map((t) => t.toLowerCase()))]));

/** Every variable Samla reads, by section. */
export const envSchema = z.object({
  /** What every command needs: Redis, logging, the HTTP port. */
  config: z.object({
    REDIS_URL: z
      .string()
      .trim()
      .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379')
      .refine((v) => URL.canParse(v), 'is not a valid URL, e.g. redis://127.0.0.1:6379')
      .default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: hostPorts('REDIS_CLUSTER_NODES').optional(),
    REDIS_SENTINELS: hostPorts('REDIS_SENTINELS').optional(),
    REDIS_SENTINEL_NAME: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be the master name the sentinels monitor (1-64 letters, digits, ".", "_" or "-"), e.g. mymaster')
      .default('mymaster'),
    SAMLA_REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'use 1-64 letters, digits, ".", "_", "-" or ":" (no braces), e.g. samla:')
      .default('samla:'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3978),
    NODE_ENV: z.enum(NODE_ENVS).default('development'),
    SAMLA_METRICS_TOKEN: z.string().regex(/^\S{16,}$/, 'use at least 16 characters without spaces, e.g. from openssl rand -hex 16').optional(),
    SAMLA_TRUST_PROXY: trustProxySchema.optional(),
    SAMLA_METRICS_PORT: metricsPortSchema.optional(),
  }),
  /** The scheduler and the delivery queues (src/app/schedulerConfig.ts says what each means). */
  scheduler: z.object({
    SAMLA_TICK_EVERY_MS: int(1000, 3_600_000, D.tickEveryMs),
    SAMLA_REMINDER_FRACTION: z.coerce.number().gt(0).lt(1).default(D.reminderFraction),
    SAMLA_DELIVERY_CONCURRENCY: int(1, 200, D.concurrency),
    SAMLA_DELIVERY_ATTEMPTS: int(1, 50, D.attempts),
    SAMLA_DELIVERY_BACKOFF_MS: int(10, 3_600_000, D.backoffMs),
    SAMLA_SLACK_RATE: z.coerce.number().gt(0).max(1000).default(D.limits.slack.ratePerSecond),
    SAMLA_TEAMS_RATE: z.coerce.number().gt(0).max(1000).default(D.limits.teams.ratePerSecond),
    SAMLA_SLACK_CONVERSATION_INTERVAL_MS: int(0, 60_000, D.limits.slack.conversationIntervalMs),
    SAMLA_TEAMS_CONVERSATION_INTERVAL_MS: int(0, 60_000, D.limits.teams.conversationIntervalMs),
    SAMLA_NUDGES: z.enum(['on', 'off']).default('on'),
    SAMLA_NUDGE_GRACE_DAYS: int(0, 60, D.nudges!.rules.graceDays),
    SAMLA_NUDGE_MIN_INTERVAL_DAYS: int(1, 90, D.nudges!.rules.minIntervalDays),
    SAMLA_NUDGE_EPISODE_DAYS: int(1, 365, D.nudges!.rules.episodeDays),
    SAMLA_NUDGE_CHECK_EVERY_MS: int(0, 86_400_000, D.nudges!.everyMs),
  }),
  /** Retention of reflection notes (src/app/retention.ts). */
  retention: z.object({
    SAMLA_REFLECTION_RETENTION_MONTHS: retentionMonths.default(DEFAULT_RETENTION_MONTHS),
  }),
  /** The web pages (src/web/config.ts). */
  web: z.object({
    SAMLA_DASHBOARD_SECRET: z.string().min(32, 'must be at least 32 characters, e.g. the output of: openssl rand -hex 32').optional(),
    SAMLA_PUBLIC_URL: z
      .string()
      .trim()
      .pipe(url((u) => (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash, 'must be an http(s) address without query, e.g. https://samla.example.no'))
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    SAMLA_DASHBOARD_LINK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  }),
  /** Slack (adapters/slack/config.ts): both of the first two, or neither. */
  slack: z.object({
    SLACK_SIGNING_SECRET: z.string().regex(/^\S{8,}$/, 'must be the app’s Signing Secret (Basic Information → App Credentials), without spaces').optional(),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-\S+$/, 'must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token)').optional(),
    SLACK_API_URL: url((u) => ['http:', 'https:'].includes(u.protocol), 'must be an http(s) URL such as https://slack.com/api/')
      .transform((v) => (v.endsWith('/') ? v : `${v}/`))
      .optional(),
    SLACK_CLIENT_ID: z
      .string()
      .regex(/^\d+\.\d+$/, 'must be the app’s Client ID, digits with a dot like 1234567890.1234567890 (Basic Information → App Credentials)')
      .optional(),
    SLACK_CLIENT_SECRET: z.string().regex(/^\S{8,}$/, 'must be the app’s Client Secret (Basic Information → App Credentials), without spaces').optional(),
    SLACK_STATE_SECRET: z.string().regex(/^\S{16,}$/, 'must be a random secret of at least 16 characters without spaces (for example `openssl rand -hex 32`)').optional(),
    SLACK_REDIRECT_URI: url((u) => ['http:', 'https:'].includes(u.protocol), 'must be an http(s) URL such as https://samla.example.no/slack/oauth_redirect').optional(),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-\S+$/, 'must be an app-level token starting with "xapp-" with the connections:write scope (Basic Information → App-Level Tokens)')
      .optional(),
    SAMLA_SECRET_KEY: z
      .string()
      .transform((v, ctx) => {
        const key = parseSecretKey(v);
        if (!key) {
          ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes, written as 64 hex digits or in base64 (for example `openssl rand -hex 32`)' });
          return z.NEVER;
        }
        return key;
      })
      .optional(),
  }),
  /** Teams (adapters/teams/config.ts): an app id with one credential, or neither (anonymous). */
  teams: z.object({
    TEAMS_APP_ID: guid(APP_ID_MESSAGE).optional(),
    TEAMS_APP_PASSWORD: z.string().min(1).optional(),
    TEAMS_CERT_PEM_FILE: z.string().min(1).optional(),
    TEAMS_CERT_KEY_FILE: z.string().min(1).optional(),
    TEAMS_FEDERATED_CLIENT_ID: guid('must be the client id of a managed identity, a GUID').optional(),
    TEAMS_TENANT_ID: guid(TENANT_MESSAGE).optional(),
    TEAMS_ALLOWED_TENANTS: teamsTenantList.optional(),
    TEAMS_CONNECTIONS: teamsConnections.optional(),
    TEAMS_AUTHORITY: z
      .url({ protocol: /^https?$/, error: 'must be the Entra login URL, like https://login.microsoftonline.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    TEAMS_BODY_LIMIT: z
      .string()
      .trim()
      .regex(/^\d+(b|kb|mb)$/i, 'write a size like 256kb or 1mb')
      .default('256kb'),
  }),
  /** The Teams app package (`npm run teams:package`, adapters/teams/appPackage.ts). */
  teamsPackage: z.object({
    TEAMS_APP_ID: z
      .string({ error: 'is missing: set it to the bot\'s Microsoft app (client) id from the Azure Bot registration, a GUID' })
      .trim()
      .regex(GUID, 'must be the bot\'s Microsoft app (client) id, a GUID like 00000000-0000-0000-0000-000000000000'),
    TEAMS_APP_VERSION: z.string().trim().regex(/^\d+\.\d+\.\d+$/, 'write a version like 1.0.0').default('1.0.0'),
    TEAMS_DEVELOPER_NAME: z.string().trim().min(1).max(32).default('Samla'),
    TEAMS_WEBSITE_URL: https.default('https://samla.example.no/'),
    TEAMS_PRIVACY_URL: https.optional(),
    TEAMS_TERMS_URL: https.optional(),
  }),
});

type Sections = typeof envSchema.shape;
type Section = keyof Sections;

/** The settings of one environment; each section is parsed on first use, then kept. */
export class Env {
  private readonly cache = new Map<Section, unknown>();

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** REDIS_URL as given, when it is (`samla start` then never starts a private Redis). */
  get redisUrlGiven(): string | undefined {
    return this.env.REDIS_URL?.trim() || undefined;
  }

  /** True when LOG_LEVEL is set (one-shot commands otherwise log warnings and errors only). */
  get logLevelGiven(): boolean {
    return !!this.env.LOG_LEVEL?.trim();
  }

  get config(): Config {
    return this.once('config', () => {
      const e = this.parse('config', { trim: false }, 'The environment is not valid; fix these variables (see .env.example):', (name) => `${name}=${JSON.stringify(this.env[name])}`);
      return {
        redisUrl: e.REDIS_URL,
        ...(e.REDIS_CLUSTER_NODES ? { redisClusterNodes: e.REDIS_CLUSTER_NODES } : {}),
        ...(e.REDIS_SENTINELS ? { redisSentinels: e.REDIS_SENTINELS, redisSentinelName: e.REDIS_SENTINEL_NAME } : {}),
        redisPrefix: e.SAMLA_REDIS_PREFIX,
        logLevel: e.LOG_LEVEL,
        port: e.PORT,
        nodeEnv: e.NODE_ENV,
        ...(e.SAMLA_METRICS_TOKEN ? { metricsToken: e.SAMLA_METRICS_TOKEN } : {}),
        ...(e.SAMLA_TRUST_PROXY ? { trustProxy: e.SAMLA_TRUST_PROXY } : {}),
        ...(e.SAMLA_METRICS_PORT ? { metricsPort: e.SAMLA_METRICS_PORT } : {}),
      };
    });
  }

  get scheduler(): SchedulerConfig {
    return this.once('scheduler', () => {
      const e = this.parse('scheduler', { trim: false }, 'The scheduler settings in the environment are not valid; fix these variables:', (name) => `${name}=${JSON.stringify(this.env[name])}`);
      return {
        tickEveryMs: e.SAMLA_TICK_EVERY_MS,
        reminderFraction: e.SAMLA_REMINDER_FRACTION,
        concurrency: e.SAMLA_DELIVERY_CONCURRENCY,
        attempts: e.SAMLA_DELIVERY_ATTEMPTS,
        backoffMs: e.SAMLA_DELIVERY_BACKOFF_MS,
        maxBackoffMs: D.maxBackoffMs,
        limits: {
          slack: { ratePerSecond: e.SAMLA_SLACK_RATE, conversationIntervalMs: e.SAMLA_SLACK_CONVERSATION_INTERVAL_MS },
          teams: { ratePerSecond: e.SAMLA_TEAMS_RATE, conversationIntervalMs: e.SAMLA_TEAMS_CONVERSATION_INTERVAL_MS },
        },
        ...(e.SAMLA_NUDGES === 'on'
          ? {
              nudges: {
                rules: { graceDays: e.SAMLA_NUDGE_GRACE_DAYS, minIntervalDays: e.SAMLA_NUDGE_MIN_INTERVAL_DAYS, episodeDays: e.SAMLA_NUDGE_EPISODE_DAYS },
                everyMs: e.SAMLA_NUDGE_CHECK_EVERY_MS,
              },
            }
          : {}),
      };
    });
  }

  get retention(): RetentionConfig {
    return this.once('retention', () => {
      const e = this.parse('retention', { trim: true }, 'The retention setting is not valid:', (name) => `${name}=${JSON.stringify(this.env[name])}`, () => `: ${RETENTION_MONTHS_PROBLEM}`);
      return { months: e.SAMLA_REFLECTION_RETENTION_MONTHS };
    });
  }

  get web(): WebConfig {
    return this.once('web', () => {
      // Never print the secret itself.
      const e = this.parse('web', { trim: false }, 'The dashboard settings are not valid; fix these variables (see .env.example):', (name) => name);
      return {
        ...(e.SAMLA_DASHBOARD_SECRET ? { secret: e.SAMLA_DASHBOARD_SECRET } : {}),
        ...(e.SAMLA_PUBLIC_URL ? { publicUrl: e.SAMLA_PUBLIC_URL } : {}),
        linkMinutes: e.SAMLA_DASHBOARD_LINK_MINUTES,
      };
    });
  }

  get slack(): SlackSettings {
    return this.once('slack', (): SlackSettings => {
      // Never print a secret or a token; the URLs and the client id are safe to show.
      const shown = new Set(['SLACK_API_URL', 'SLACK_REDIRECT_URI', 'SLACK_CLIENT_ID']);
      const e = this.parse('slack', { trim: true }, 'The Slack settings are not valid; fix these variables:', (name) => (shown.has(name) ? `${name}=${JSON.stringify(this.env[name])}` : name));
      return slackConfigFrom(e satisfies SlackEnv);
    });
  }

  /** The Teams settings; anonymous mode is refused when NODE_ENV is production. */
  get teams(): TeamsConfig {
    return this.once('teams', (): TeamsConfig => {
      const e = this.parse('teams', { trim: false }, 'The Teams settings are not valid; fix these variables (see .env.example):', (name) => name);
      return teamsConfigFrom(e satisfies TeamsEnv, this.config.nodeEnv);
    });
  }

  /** What `npm run teams:package` writes into the manifest (a missing or bad app id first). */
  get teamsPackage(): PackageSettings {
    return this.once('teamsPackage', () => {
      const e = this.parse('teamsPackage', { trim: false }, 'Cannot build the Teams app package; fix these variables:', (name) => name, (i) => ` ${i.message}`);
      const site = e.TEAMS_WEBSITE_URL.endsWith('/') ? e.TEAMS_WEBSITE_URL : `${e.TEAMS_WEBSITE_URL}/`;
      return {
        appId: e.TEAMS_APP_ID.toLowerCase(),
        version: e.TEAMS_APP_VERSION,
        developerName: e.TEAMS_DEVELOPER_NAME,
        websiteUrl: site,
        privacyUrl: e.TEAMS_PRIVACY_URL ?? `${site}personvern`,
        termsUrl: e.TEAMS_TERMS_URL ?? `${site}vilkar`,
      };
    });
  }

  /** Checks every section the service uses (`samla start`): the first wrong one throws. */
  checkAll(): void {
    void this.config;
    void this.scheduler;
    void this.retention;
    void this.web;
    void this.slack;
    void this.teams;
  }

  private once<T>(section: Section, read: () => T): T {
    if (!this.cache.has(section)) this.cache.set(section, read());
    return this.cache.get(section) as T;
  }

  /**
   * Parses one section of `envSchema`. `shown` says how a variable is named in an error (with
   * its value, or without for secrets); `problem` what follows it (default ": <zod's message>").
   */
  private parse<S extends Section>(
    section: S,
    opts: { trim: boolean },
    headline: string,
    shown: (name: string) => string,
    problem: (issue: z.core.$ZodIssue) => string = (i) => `: ${i.message}`,
  ): z.infer<Sections[S]> {
    const schema = envSchema.shape[section];
    const present: Record<string, string> = {};
    for (const name of Object.keys(schema.shape)) {
      const raw = this.env[name];
      const value = opts.trim ? raw?.trim() : raw;
      if (value !== undefined && value !== '') present[name] = value;
    }
    const parsed = schema.safeParse(present);
    if (!parsed.success) {
      throw new SamlaError('INVALID_CONFIG', headline, { details: parsed.error.issues.map((i) => `${shown(String(i.path[0] ?? ''))}${i.path.slice(1).map((p) => `.${String(p)}`).join('')}${problem(i)}`) });
    }
    return parsed.data as z.infer<Sections[S]>;
  }
}

/** The environment's settings; `process.env` unless another one is given (tests). */
export function readEnv(env: Readonly<Record<string, string | undefined>> = process.env): Env {
  return new Env(env);
}
