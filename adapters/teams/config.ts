/**
 * The Teams adapter's settings, read from the environment once and validated with zod.
 *
 * | variable             | maps to (Agents SDK `AuthConfiguration`) | meaning                                                   |
 * |----------------------|------------------------------------------|-----------------------------------------------------------|
 * | `TEAMS_APP_ID`       | `clientId`                               | the bot's Microsoft Entra app (client) id, a GUID         |
 * | `TEAMS_APP_PASSWORD` | `clientSecret`                           | a client secret of that app registration                  |
 * | `TEAMS_TENANT_ID`    | `tenantId`                               | the tenant of a single-tenant bot (a GUID); optional      |
 * | `TEAMS_BODY_LIMIT`   | –                                        | largest accepted activity body, default `256kb`           |
 *
 * With an app id and a secret Samla validates every inbound Bot Framework token (the SDK's
 * `authorizeJWT`) and signs its outbound calls. With neither it runs **anonymously**: inbound
 * activities are not authenticated and outbound calls carry no token. That is for local use with
 * the Bot Framework Emulator or tests only, and it is refused when `NODE_ENV=production`.
 */
import { z } from 'zod';
import { SamlaError } from '../../src/core/errors.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const schema = z.object({
  TEAMS_APP_ID: z.string().trim().regex(GUID, 'must be the app (client) id of the bot, a GUID like 00000000-0000-0000-0000-000000000000').optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().trim().regex(GUID, 'must be the directory (tenant) id, a GUID like 00000000-0000-0000-0000-000000000000').optional(),
  TEAMS_BODY_LIMIT: z
    .string()
    .trim()
    .regex(/^\d+(b|kb|mb)$/i, 'write a size like 256kb or 1mb')
    .default('256kb'),
});

export const TEAMS_ENV_NAMES = ['TEAMS_APP_ID', 'TEAMS_APP_PASSWORD', 'TEAMS_TENANT_ID', 'TEAMS_BODY_LIMIT'] as const;

export type TeamsAuth =
  | { mode: 'anonymous' }
  | { mode: 'authenticated'; appId: string; appPassword: string; tenantId?: string };

export interface TeamsConfig {
  auth: TeamsAuth;
  /** express.json `limit` for `POST /api/messages`. */
  bodyLimit: string;
}

/**
 * Reads the Teams settings. Empty strings count as unset. Throws INVALID_CONFIG naming the
 * variables to fix: an id without a secret (or the reverse), a malformed GUID, or anonymous mode
 * when `nodeEnv` is production.
 */
export function readTeamsConfig(env: NodeJS.ProcessEnv, nodeEnv: string | undefined): TeamsConfig {
  const present = Object.fromEntries(
    TEAMS_ENV_NAMES.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'The Teams settings are not valid; fix these variables (see .env.example):', {
      details: parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`),
    });
  }
  const e = parsed.data;
  if (e.TEAMS_APP_ID && !e.TEAMS_APP_PASSWORD) {
    throw new SamlaError('INVALID_CONFIG', 'TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not. Set TEAMS_APP_PASSWORD to a client secret of the bot\'s app registration.');
  }
  if (!e.TEAMS_APP_ID && e.TEAMS_APP_PASSWORD) {
    throw new SamlaError('INVALID_CONFIG', 'TEAMS_APP_PASSWORD is set but TEAMS_APP_ID is not. Set TEAMS_APP_ID to the bot\'s app (client) id.');
  }
  if (!e.TEAMS_APP_ID) {
    if (nodeEnv === 'production') {
      throw new SamlaError(
        'INVALID_CONFIG',
        'Teams would run anonymously (no token validation), which is refused with NODE_ENV=production. ' +
          'Set TEAMS_APP_ID and TEAMS_APP_PASSWORD (and TEAMS_TENANT_ID for a single-tenant bot) from the Azure Bot registration.',
      );
    }
    return { auth: { mode: 'anonymous' }, bodyLimit: e.TEAMS_BODY_LIMIT };
  }
  return {
    auth: {
      mode: 'authenticated',
      appId: e.TEAMS_APP_ID,
      appPassword: e.TEAMS_APP_PASSWORD!,
      ...(e.TEAMS_TENANT_ID ? { tenantId: e.TEAMS_TENANT_ID } : {}),
    },
    bodyLimit: e.TEAMS_BODY_LIMIT,
  };
}

/**
 * The SDK's `AuthConfiguration` for this config: `clientId`, `clientSecret`, `tenantId` for the
 * authenticated mode, an empty configuration (no `clientId`) for the anonymous one. Passed to
 * the SDK explicitly, so its own environment names (`clientId`, ...) are not needed.
 */
export function authConfiguration(cfg: TeamsConfig): { clientId?: string; clientSecret?: string; tenantId?: string } {
  if (cfg.auth.mode === 'anonymous') return {};
  return {
    clientId: cfg.auth.appId,
    clientSecret: cfg.auth.appPassword,
    ...(cfg.auth.tenantId ? { tenantId: cfg.auth.tenantId } : {}),
  };
}
