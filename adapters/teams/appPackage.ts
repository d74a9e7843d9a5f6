/**
 * The Teams app package: a zip with `manifest.json` (app manifest schema 1.22), `color.png`
 * (192×192) and `outline.png` (32×32, white on transparent), ready to upload in Teams
 * ("Apps → Manage your apps → Upload an app") or the Teams admin center. The icons are the
 * committed files in `adapters/teams/assets/`.
 *
 * Its settings, read from the environment by src/app/env.ts (`teamsPackage`):
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

export const MANIFEST_VERSION = '1.22';
export const MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

export interface PackageSettings {
  appId: string;
  version: string;
  developerName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsUrl: string;
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
export function buildTeamsPackage(settings: PackageSettings): Uint8Array {
  return zipSync({
    'manifest.json': strToU8(`${JSON.stringify(teamsManifest(settings), null, 2)}\n`),
    'color.png': icon('color.png'),
    'outline.png': icon('outline.png'),
  });
}

function icon(name: 'color.png' | 'outline.png'): Uint8Array {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url));
}
