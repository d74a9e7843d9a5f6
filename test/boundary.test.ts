/**
 * The architecture line, held by reading the source: the core imports no adapter, no app code,
 * no platform SDK, no Redis client and never reads process.env.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

const FORBIDDEN_IMPORTS = [/['"]ioredis['"]/, /['"]bullmq['"]/, /['"]@slack\//, /['"]@microsoft\//, /adapters\//, /\.\.\/app\//, /\.\.\/cli\//];

describe('core boundary', () => {
  const files = sources('src/core');

  it('finds the core sources', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s imports no adapter, SDK or Redis client', (_name, file) => {
    const imports = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\s*(import|export)\b.*\bfrom\b|^\s*import\s*\(/.test(l));
    const bad = imports.filter((l) => FORBIDDEN_IMPORTS.some((re) => re.test(l)));
    expect(bad).toEqual([]);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s does not read process.env', (_name, file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(/process\.env/);
  });
});
