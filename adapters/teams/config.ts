/**
 * The Teams adapter's settings, read from the environment once by the composition root
 * (src/app/env.ts, which checks them with zod) and passed in.
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
export type TeamsAuth =
  | { mode: 'anonymous' }
  | { mode: 'authenticated'; appId: string; appPassword: string; tenantId?: string };

export interface TeamsConfig {
  auth: TeamsAuth;
  /** express.json `limit` for `POST /api/messages`. */
  bodyLimit: string;
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
