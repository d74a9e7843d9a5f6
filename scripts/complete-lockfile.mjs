#!/usr/bin/env node
// The npm registry this project is installed from serves only the Linux builds of
// msgpackr-extract (an optional native speed-up that BullMQ's msgpackr falls back from), so
// `npm install` leaves the other platforms' optional packages out of package-lock.json, and
// `npm ci` then refuses the lock file as out of sync. This adds those entries (platform-only
// optional packages, never installed on Linux x64) back. Run it after `npm install`:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] || packages[`${path}/node_modules/${name}`]) continue;
    const m = /-(darwin|linux|win32|freebsd|android)-(arm64|x64|arm|ia32)(?:-|$)/.exec(name);
    if (!m) continue;
    packages[key] = { version, cpu: [m[2]], license: 'MIT', optional: true, os: [m[1]] };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform-specific optional package entries`);
