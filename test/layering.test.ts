/**
 * The environment is read in one place: src/app/env.ts, called by the composition root, which
 * passes typed settings on. dependency-cruiser (`npm run lint:deps`, .dependency-cruiser.cjs)
 * checks the imports; it cannot see `process.env`, so this test does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENV_MODULE = 'src/app/env.ts';

/** Every source file under the folders the application is made of. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [rel] : [];
  });
}

/** Lines that read the environment: `process.env`, also as `process['env']` or destructured. */
function envReads(file: string): string[] {
  return readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => /\bprocess\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(line))
    .filter(({ line }) => !/^\s*(\/\*|\*|\/\/)/.test(line)) // comments
    .map(({ line, n }) => `${file}:${n}: ${line.trim()}`);
}

describe('the environment', () => {
  const files = ['src', 'adapters', 'scripts', 'bin'].flatMap(sources);

  it('is read by src/app/env.ts alone', () => {
    expect(files).toContain(ENV_MODULE);
    expect(envReads(ENV_MODULE).length).toBeGreaterThan(0); // the scan finds a real read
    expect(files.filter((f) => f !== ENV_MODULE).flatMap(envReads)).toEqual([]);
  });
});
