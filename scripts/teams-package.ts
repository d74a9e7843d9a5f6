/**
 * `npm run teams:package [-- <out.zip>]`: builds dist/samla-teams.zip (or the given path), the Teams app package to upload
 * (manifest, colour and outline icons, command list), with the bot id from TEAMS_APP_ID.
 * See adapters/teams/appPackage.ts for every variable it uses (read by src/app/env.ts). Exit code 1 with the reason
 * when a variable is missing or wrong.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTeamsPackage } from '../adapters/teams/appPackage.ts';
import { readEnv } from '../src/app/env.ts';
import { isSamlaError } from '../src/core/errors.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The zip's path: the first argument, else dist/samla-teams.zip. */
const out = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'samla-teams.zip');

try {
  const zip = buildTeamsPackage(readEnv().teamsPackage);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), out) || out} (${zip.length} bytes). Upload it in Teams: Apps → Manage your apps → Upload an app.\n`);
} catch (err) {
  if (isSamlaError(err)) {
    process.stderr.write(`${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`);
  } else {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exitCode = 1;
}
