/**
 * Packaging, checked without running containers (none can run here): the compose file parses and
 * has the Redis settings that keep acknowledged data (append-only, everysec, noeviction, a
 * volume), and the Dockerfile starts Samla the way `npm start` does, as a non-root user, with the
 * runtime dependencies (tsx among them) and the sources it needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, { image?: string; build?: string; command?: string[]; volumes?: string[]; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown }>;
    volumes: Record<string, unknown>;
  };

  it('runs Redis 7 with an append-only file fsynced every second, noeviction, on a named volume', () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    const args = redis.command!.join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--maxmemory-policy noeviction');
    const [volume, mount] = redis.volumes![0]!.split(':');
    expect(mount).toBe('/data');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(redis.healthcheck).toBeDefined();
  });

  it('builds Samla from this folder and points it at that Redis, started after Redis is healthy', () => {
    const samla = compose.services.samla!;
    expect(samla.build).toBe('.');
    expect(samla.environment!.REDIS_URL).toBe('redis://redis:6379');
    // In `environment`, so a development .env (env_file) cannot switch off the production guards.
    expect(samla.environment!.NODE_ENV).toBe('production');
    expect(samla.depends_on!.redis!.condition).toBe('service_healthy');
  });
});

describe('Dockerfile', () => {
  const docker = read('Dockerfile');
  const instructions = docker
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const last = (name: string) => instructions.filter((l) => l.startsWith(`${name} `)).at(-1);

  it('starts what `npm start` starts, from node:20-slim, as a non-root user', () => {
    expect(instructions[0]).toBe('FROM node:20-slim');
    const cmd = JSON.parse(last('CMD')!.slice(4)) as string[];
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
    const user = last('USER')!.slice(5).trim();
    expect(['root', '0', '']).not.toContain(user);
    expect(instructions.indexOf(last('USER')!)).toBeGreaterThan(instructions.findIndex((l) => l.startsWith('RUN npm ci')));
  });

  it('installs only the runtime dependencies, which include tsx (no build step)', () => {
    expect(last('RUN')).toContain('npm ci --omit=dev');
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.devDependencies.tsx).toBeUndefined();
    expect(read('bin/samla.js')).toContain("from 'tsx/esm/api'");
  });

  it('copies the sources the service reads at run time and leaves tests, secrets and node_modules out', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const needed of ['bin', 'src', 'adapters', 'adapters/redis/lua', 'prompts', 'examples', 'package.json', 'package-lock.json']) {
      expect(existsSync(path.join(ROOT, needed))).toBe(true);
      expect(ignored).not.toContain(needed);
    }
    // The Redis scripts are read from their .lua files at start.
    expect(ignored.filter((l) => /lua/.test(l))).toEqual([]);
    for (const left of ['node_modules', '.env', 'test', '.git']) expect(ignored).toContain(left);
  });
});
