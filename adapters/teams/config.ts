/**
 * The Teams adapter's settings. The composition root reads the variables once (src/app/env.ts,
 * which checks each with zod) and `teamsConfigFrom` combines them here.
 *
 * | variable                    | maps to (Agents SDK `AuthConfiguration`) | meaning                                                   |
 * |-----------------------------|------------------------------------------|-----------------------------------------------------------|
 * | `TEAMS_APP_ID`              | `clientId`                               | the bot's Microsoft Entra app (client) id, a GUID         |
 * | `TEAMS_APP_PASSWORD`        | `clientSecret`                           | a client secret of that app registration                  |
 * | `TEAMS_CERT_PEM_FILE`, `TEAMS_CERT_KEY_FILE` | `certPemFile`, `certKeyFile` | a certificate of the app registration instead of a secret |
 * | `TEAMS_FEDERATED_CLIENT_ID` | `federatedClientId`                      | a managed identity trusted by the app (federated credential) instead of a secret |
 * | `TEAMS_TENANT_ID`           | `tenantId`                               | the bot's home tenant: where its tokens come from, nothing more |
 * | `TEAMS_ALLOWED_TENANTS`     | –                                        | tenants answered besides those named in network files (comma-separated GUIDs) |
 * | `TEAMS_CONNECTIONS`         | `connections`, `connectionsMap`          | more app registrations on the same endpoint (JSON list)   |
 * | `TEAMS_AUTHORITY`           | `authorityEndpoint`                      | the Entra login host, default https://login.microsoftonline.com |
 * | `TEAMS_BODY_LIMIT`          | –                                        | largest accepted activity body, default `256kb`           |
 *
 * With an app id and a credential Samla validates every inbound Bot Framework token (the SDK's
 * `authorizeJWT`, issuer checked) and signs its outbound calls. With neither it runs
 * **anonymously**: inbound activities are not authenticated and outbound calls carry no token.
 * That is for local use with the Bot Framework Emulator or tests only, and it is refused when
 * `NODE_ENV=production`.
 *
 * Which tenants Samla answers is not decided here but by ./tenants.ts (network files plus
 * `TEAMS_ALLOWED_TENANTS`).
 */
import { SamlaError } from '../../src/core/errors.ts';

/** The Teams variables as src/app/env.ts parsed them (GUIDs lower case); nothing combined yet. */
export interface TeamsEnv {
  TEAMS_APP_ID?: string;
  TEAMS_APP_PASSWORD?: string;
  TEAMS_CERT_PEM_FILE?: string;
  TEAMS_CERT_KEY_FILE?: string;
  TEAMS_FEDERATED_CLIENT_ID?: string;
  TEAMS_TENANT_ID?: string;
  TEAMS_ALLOWED_TENANTS?: string[];
  TEAMS_CONNECTIONS?: { app_id: string; tenant_id: string; secret?: string; cert_pem_file?: string; cert_key_file?: string; federated_client_id?: string }[];
  TEAMS_AUTHORITY?: string;
  TEAMS_BODY_LIMIT: string;
}

/** How an app registration proves who it is when Samla asks Entra for a token. */
export type TeamsCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; certPemFile: string; certKeyFile: string }
  | { kind: 'federated'; managedIdentityClientId: string };

/** An app registration Samla answers and sends as. */
export interface TeamsRegistration {
  appId: string;
  /** Its home tenant: where its tokens come from. */
  tenantId?: string;
  credential: TeamsCredential;
}

export type TeamsAuth =
  | { mode: 'anonymous' }
  | {
      mode: 'authenticated';
      /** The main registration's app id (`TEAMS_APP_ID`). */
      appId: string;
      /** Its home tenant (`TEAMS_TENANT_ID`). */
      tenantId?: string;
      credential: TeamsCredential;
      /** More registrations on the same endpoint (`TEAMS_CONNECTIONS`), for municipalities that need their own. */
      extra: TeamsRegistration[];
      /** The Entra login host (`TEAMS_AUTHORITY`), when not the public cloud's. */
      authority?: string;
    };

export interface TeamsConfig {
  auth: TeamsAuth;
  /** express.json `limit` for `POST /api/messages`. */
  bodyLimit: string;
  /** Tenants answered besides those named in network files (`TEAMS_ALLOWED_TENANTS`), lower case. */
  allowedTenants: string[];
}

/**
 * Combines the Teams settings. Throws INVALID_CONFIG naming the variables to fix: an id without a
 * credential (or the reverse), two credentials, a malformed GUID, or anonymous mode when
 * `nodeEnv` is production.
 */
export function teamsConfigFrom(e: TeamsEnv, nodeEnv: string | undefined): TeamsConfig {
  const allowedTenants = e.TEAMS_ALLOWED_TENANTS ?? [];
  const credentials: TeamsCredential[] = [
    ...(e.TEAMS_APP_PASSWORD ? [{ kind: 'secret' as const, secret: e.TEAMS_APP_PASSWORD }] : []),
    ...(e.TEAMS_CERT_PEM_FILE || e.TEAMS_CERT_KEY_FILE ? [{ kind: 'certificate' as const, certPemFile: e.TEAMS_CERT_PEM_FILE ?? '', certKeyFile: e.TEAMS_CERT_KEY_FILE ?? '' }] : []),
    ...(e.TEAMS_FEDERATED_CLIENT_ID ? [{ kind: 'federated' as const, managedIdentityClientId: e.TEAMS_FEDERATED_CLIENT_ID }] : []),
  ];
  if (e.TEAMS_APP_ID && credentials.length === 0) {
    throw new SamlaError(
      'INVALID_CONFIG',
      "TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not. Set TEAMS_APP_PASSWORD to a client secret of the bot's app registration, or use a certificate (TEAMS_CERT_PEM_FILE and TEAMS_CERT_KEY_FILE) or a federated credential (TEAMS_FEDERATED_CLIENT_ID).",
    );
  }
  if (!e.TEAMS_APP_ID && credentials.length > 0) {
    const named = e.TEAMS_APP_PASSWORD ? 'TEAMS_APP_PASSWORD' : e.TEAMS_FEDERATED_CLIENT_ID ? 'TEAMS_FEDERATED_CLIENT_ID' : 'TEAMS_CERT_PEM_FILE';
    throw new SamlaError('INVALID_CONFIG', `${named} is set but TEAMS_APP_ID is not. Set TEAMS_APP_ID to the bot's app (client) id.`);
  }
  if (credentials.length > 1) {
    throw new SamlaError('INVALID_CONFIG', 'Give the bot one credential: TEAMS_APP_PASSWORD, or TEAMS_CERT_PEM_FILE with TEAMS_CERT_KEY_FILE, or TEAMS_FEDERATED_CLIENT_ID; more than one is set.');
  }
  const credential = credentials[0];
  if (credential?.kind === 'certificate' && (!credential.certPemFile || !credential.certKeyFile)) {
    throw new SamlaError('INVALID_CONFIG', 'A certificate needs both TEAMS_CERT_PEM_FILE (the certificate) and TEAMS_CERT_KEY_FILE (its private key).');
  }
  if (!e.TEAMS_APP_ID || !credential) {
    if (e.TEAMS_CONNECTIONS?.length) {
      throw new SamlaError('INVALID_CONFIG', 'TEAMS_CONNECTIONS adds app registrations to the main one; set TEAMS_APP_ID and its credential too.');
    }
    if (nodeEnv === 'production') {
      throw new SamlaError(
        'INVALID_CONFIG',
        'Teams would run anonymously (no token validation), which is refused with NODE_ENV=production. ' +
          "Set TEAMS_APP_ID and TEAMS_APP_PASSWORD (or a certificate or federated credential instead of the password), and TEAMS_TENANT_ID, from the bot's app registration.",
      );
    }
    return { auth: { mode: 'anonymous' }, bodyLimit: e.TEAMS_BODY_LIMIT, allowedTenants };
  }
  const extra: TeamsRegistration[] = (e.TEAMS_CONNECTIONS ?? []).map((c) => ({
    appId: c.app_id,
    tenantId: c.tenant_id,
    credential: c.secret
      ? { kind: 'secret', secret: c.secret }
      : c.federated_client_id
        ? { kind: 'federated', managedIdentityClientId: c.federated_client_id }
        : { kind: 'certificate', certPemFile: c.cert_pem_file!, certKeyFile: c.cert_key_file! },
  }));
  const ids = [e.TEAMS_APP_ID, ...extra.map((r) => r.appId)];
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new SamlaError('INVALID_CONFIG', `The app id ${twice} is configured twice (TEAMS_APP_ID and TEAMS_CONNECTIONS); list each app registration once.`);
  return {
    auth: {
      mode: 'authenticated',
      appId: e.TEAMS_APP_ID,
      ...(e.TEAMS_TENANT_ID ? { tenantId: e.TEAMS_TENANT_ID } : {}),
      credential,
      extra,
      ...(e.TEAMS_AUTHORITY ? { authority: e.TEAMS_AUTHORITY } : {}),
    },
    bodyLimit: e.TEAMS_BODY_LIMIT,
    allowedTenants,
  };
}

/** Every app registration of an authenticated config, the main one first. */
export function registrations(auth: Extract<TeamsAuth, { mode: 'authenticated' }>): TeamsRegistration[] {
  return [{ appId: auth.appId, ...(auth.tenantId ? { tenantId: auth.tenantId } : {}), credential: auth.credential }, ...auth.extra];
}

/** The app id Samla should send as for a bot id seen in a conversation ("28:<app id>"): that app when it is configured, else the main one. */
export function sendingAppId(auth: Extract<TeamsAuth, { mode: 'authenticated' }>, botId: string | undefined): string {
  const id = botId?.replace(/^28:/, '').toLowerCase();
  return id && auth.extra.some((r) => r.appId === id) ? id : auth.appId;
}

type SdkConnection = {
  clientId: string;
  tenantId?: string;
  clientSecret?: string;
  certPemFile?: string;
  certKeyFile?: string;
  federatedClientId?: string;
  authorityEndpoint?: string;
  validateIssuer: boolean;
};

function sdkConnection(r: TeamsRegistration, authority: string | undefined): SdkConnection {
  const c = r.credential;
  return {
    clientId: r.appId,
    ...(r.tenantId ? { tenantId: r.tenantId } : {}),
    ...(c.kind === 'secret' ? { clientSecret: c.secret } : c.kind === 'certificate' ? { certPemFile: c.certPemFile, certKeyFile: c.certKeyFile } : { federatedClientId: c.managedIdentityClientId }),
    ...(authority ? { authorityEndpoint: authority } : {}),
    // A token's issuer must be Bot Framework's or this registration's home tenant's.
    validateIssuer: true,
  };
}

/**
 * The SDK's `AuthConfiguration` for this config, passed explicitly so the SDK's own environment
 * names are not needed. Anonymous: an empty configuration (no `clientId`). One registration:
 * its settings. More: the SDK's `connections` (one per app registration) and a `connectionsMap`
 * that picks the connection by audience, so an inbound token is checked against its own app id
 * and a proactive message to a tenant is signed by the app that tenant uses.
 */
export function authConfiguration(cfg: TeamsConfig): Record<string, unknown> {
  if (cfg.auth.mode === 'anonymous') return {};
  const all = registrations(cfg.auth).map((r) => sdkConnection(r, cfg.auth.mode === 'authenticated' ? cfg.auth.authority : undefined));
  if (all.length === 1) return { ...all[0] };
  const names = all.map((_, i) => (i === 0 ? 'serviceConnection' : `registration${i + 1}`));
  return {
    ...all[0],
    connections: new Map(all.map((c, i) => [names[i]!, { ...c }])),
    connectionsMap: all.map((c, i) => ({ serviceUrl: '*', audience: c.clientId, connection: names[i]! })),
  };
}
