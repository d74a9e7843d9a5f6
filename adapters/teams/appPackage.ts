/**
 * The Teams app package: a zip with `manifest.json` (app manifest schema 1.22), `color.png`
 * (192×192) and `outline.png` (32×32, white on transparent), ready to upload in Teams
 * ("Apps → Manage your apps → Upload an app") or the Teams admin center. The icons are the
 * committed files in `adapters/teams/assets/`.
 *
 * Read from the environment:
 *
 * | variable               | meaning                                                     | default                         |
 * |------------------------|-------------------------------------------------------------|---------------------------------|
 * | `TEAMS_APP_ID`         | the bot's app (client) id; also the Teams app id (required) | –                               |
 * | `TEAMS_APP_VERSION`    | the package version, x.y.z; raise it for every upload       | 1.0.0                           |
 * | `TEAMS_DEVELOPER_NAME` | who publishes the app                                       | Samla                           |
 * | `TEAMS_WEBSITE_URL`    | https address of the publisher                              | https://samla.example.no/       |
 * | `TEAMS_PRIVACY_URL`    | https address of the privacy statement                      | `<website>`personvern           |
 * | `TEAMS_TERMS_URL`      | https address of the terms of use                           | `<website>`vilkar               |
 */
import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { z } from 'zod';
import { SamlaError } from '../../src/core/errors.ts';

export const MANIFEST_VERSION = '1.22';
export const MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

const https = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return new URL(v).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// address');

const packageEnv = z.object({
  TEAMS_APP_ID: z
    .string({ error: 'is missing: set it to the bot\'s Microsoft app (client) id from the Azure Bot registration, a GUID' })
    .trim()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be the bot\'s Microsoft app (client) id, a GUID like 00000000-0000-0000-0000-000000000000'),
  TEAMS_APP_VERSION: z.string().trim().regex(/^\d+\.\d+\.\d+$/, 'write a version like 1.0.0').default('1.0.0'),
  TEAMS_DEVELOPER_NAME: z.string().trim().min(1).max(32).default('Samla'),
  TEAMS_WEBSITE_URL: https.default('https://samla.example.no/'),
  TEAMS_PRIVACY_URL: https.optional(),
  TEAMS_TERMS_URL: https.optional(),
});

export interface PackageSettings {
  appId: string;
  version: string;
  developerName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsUrl: string;
}

/** Reads the package settings; INVALID_CONFIG naming each variable to fix (a missing or bad app id first). */
export function readPackageSettings(env: NodeJS.ProcessEnv): PackageSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in packageEnv.shape && v !== undefined && v !== ''));
  const parsed = packageEnv.safeParse(present);
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'Cannot build the Teams app package; fix these variables:', {
      details: parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`),
    });
  }
  const e = parsed.data;
  const site = e.TEAMS_WEBSITE_URL.endsWith('/') ? e.TEAMS_WEBSITE_URL : `${e.TEAMS_WEBSITE_URL}/`;
  return {
    appId: e.TEAMS_APP_ID.toLowerCase(),
    version: e.TEAMS_APP_VERSION,
    developerName: e.TEAMS_DEVELOPER_NAME,
    websiteUrl: site,
    privacyUrl: e.TEAMS_PRIVACY_URL ?? `${site}personvern`,
    termsUrl: e.TEAMS_TERMS_URL ?? `${site}vilkar`,
  };
}

/** The commands Teams suggests when someone types to Samla (the same words Samla understands). */
export const MANIFEST_COMMANDS = [
  { title: 'status', description: 'Meld status for kommunen din (prosjektleder)' },
  { title: 'oppgaver', description: 'Se dine åpne forberedelsesoppgaver' },
  { title: 'neste', description: 'Neste nettverkssamling' },
  { title: 'hjelp', description: 'Hva Samla kan hjelpe med' },
] as const;

/** The app manifest: one bot in personal, team and group-chat scope, with the command list. */
export function teamsManifest(s: PackageSettings): Record<string, unknown> {
  const scopes = ['personal', 'team', 'groupChat'];
  return {
    $schema: MANIFEST_SCHEMA,
    manifestVersion: MANIFEST_VERSION,
    version: s.version,
    id: s.appId,
    developer: { name: s.developerName, websiteUrl: s.websiteUrl, privacyUrl: s.privacyUrl, termsOfUseUrl: s.termsUrl },
    name: { short: 'Samla', full: 'Samla: læringsnettverk mellom samlingene' },
    description: {
      short: 'Kollegaen som aldri glemmer, for læringsnettverk i kommunene.',
      full:
        'Samla hjelper læringsnettverk av kommuner mellom samlingene: forberedelsesoppgaver med frist, innsjekk før samlingen, ' +
        'statusrapporter fra prosjektleder, refleksjonsnotater og påminnelser til styringsgruppen. Skriv «hjelp» til Samla for å komme i gang.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#1B6B73',
    bots: [
      {
        botId: s.appId,
        scopes,
        isNotificationOnly: false,
        supportsFiles: false,
        commandLists: [{ scopes, commands: MANIFEST_COMMANDS.map((c) => ({ ...c })) }],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [],
  };
}

/** The zip: manifest.json, color.png and outline.png at its root, as Teams requires. */
export function buildTeamsPackage(env: NodeJS.ProcessEnv): Uint8Array {
  const settings = readPackageSettings(env);
  return zipSync({
    'manifest.json': strToU8(`${JSON.stringify(teamsManifest(settings), null, 2)}\n`),
    'color.png': icon('color.png'),
    'outline.png': icon('outline.png'),
  });
}

function icon(name: 'color.png' | 'outline.png'): Uint8Array {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url));
}
