/**
 * The `samla` command as an organiser uses it, run in-process against the real Redis, plus one
 * run of the real binary.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { snapshot, testRedis } from './helpers/redis.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = path.join(root, 'examples/network.yaml');
const MALFORMED = path.join(root, 'test/fixtures/malformed');

let ctx: Awaited<ReturnType<typeof testRedis>>;
beforeAll(async () => {
  ctx = await testRedis();
});
afterAll(async () => {
  await ctx.cleanup();
});

async function samla(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: { REDIS_URL: ctx.url, SAMLA_REDIS_PREFIX: ctx.prefix },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    now: () => new Date('2027-01-05T10:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('samla network import / show / export', () => {
  it('imports the organiser’s example file unchanged and shows 4 municipalities, 3 gatherings and every role', async () => {
    const imported = await samla('network', 'import', EXAMPLE);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/Imported agder-helse-2027 \(version 1\): 4 municipalities, 10 people, 3 gatherings/);

    const shown = await samla('network', 'show', 'agder-helse-2027', '--json');
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view.municipalities.map((m: { id: string }) => m.id)).toEqual(['4204', '4203', '4225', '4207']);
    expect(view.gatherings.map((g: { id: string }) => g.id)).toEqual(['samling-1', 'samling-2', 'samling-3']);
    const roles = new Set(view.municipalities.flatMap((m: { members: { roles: string[] }[] }) => m.members.flatMap((p) => p.roles)));
    expect([...roles].sort()).toEqual(['deltaker', 'kontaktperson', 'prosjektleder', 'refleksjonsgruppe', 'styringsgruppe']);
    const siri = view.municipalities[0].members.find((p: { name: string }) => p.name === 'Siri Lund');
    expect(siri).toMatchObject({ roles: ['styringsgruppe'], party: 'administrasjon', chair: true });
    expect(view.organisers).toEqual([{ name: 'Ingrid Fjeld', email: 'ingrid.fjeld@example.no', platform: 'slack', locale: 'en' }]);
    const forankring = view.gatherings[0].tasks[0];
    expect(forankring.send).toMatchObject({ offset: '-21d', local: '2027-01-20T09:00', sent: '2027-01-20T09:00' });
    expect(forankring.due).toMatchObject({ offset: '-3d', local: '2027-02-07T09:00' });

    const text = await samla('network', 'show', 'agder-helse-2027');
    expect(text.stdout).toContain('4204 Kristiansand · slack · steering channel C07STEER4204');
    expect(text.stdout).toContain('Siri Lund <siri.lund@kristiansand.example.no>  styringsgruppe (administrasjon, chair)');
    expect(text.stdout).toContain('check-in sent 2027-02-08 08:00 (-3d), moved from 2027-02-07 09:00 (weekend)');
  });

  it('exports a file that imports to the identical network', async () => {
    const exported = await samla('network', 'export', 'agder-helse-2027');
    expect(exported.code).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'samla-export-'));
    const file = path.join(dir, 'exported.yaml');
    writeFileSync(file, exported.stdout);
    const before = await snapshot(ctx.redis, ctx.prefix);
    const again = await samla('network', 'import', file, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, version: 1 });
    expect(await snapshot(ctx.redis, ctx.prefix)).toEqual(before);
    const reexported = await samla('network', 'export', 'agder-helse-2027');
    expect(reexported.stdout).toBe(exported.stdout);
  });

  it('moves a gathering’s prompts when the file moves the gathering, and keeps a removed person’s record', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samla-edit-'));
    const file = path.join(dir, 'network.yaml');
    const edited = readFileSync(EXAMPLE, 'utf8')
      .replace('starts: 2027-05-05T09:00', 'starts: 2027-05-12T09:00')
      .replace('ends: 2027-05-05T15:30', 'ends: 2027-05-12T15:30')
      .replace(/^\s*- \{ name: Per Berg.*\n/m, '');
    writeFileSync(file, edited);
    const r = await samla('network', 'import', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Updated agder-helse-2027 (version 2)');
    expect(r.stdout).toContain('moved samling-2: 2027-05-05 09:00 → 2027-05-12 09:00');
    expect(r.stdout).toContain('per.berg@kristiansand.example.no');

    const agenda = JSON.parse((await samla('agenda', 'agder-helse-2027', '--from', '2027-04-01', '--to', '2027-06-01', '--json')).stdout);
    const swot = agenda.items.find((i: { kind: string; task?: string }) => i.kind === 'task' && i.task === 'swot');
    expect(swot.local).toBe('2027-04-14T09:00'); // -28d from 2027-05-12, was 2027-04-07
    expect(swot.recipients.map((p: { email: string }) => p.email)).not.toContain('per.berg@kristiansand.example.no');

    const shown = JSON.parse((await samla('network', 'show', 'agder-helse-2027', '--json')).stdout);
    expect(shown.formerMembers).toEqual([expect.objectContaining({ email: 'per.berg@kristiansand.example.no' })]);
  });
});

describe('samla agenda', () => {
  it('lists prompts in local time with why they moved and who gets them', async () => {
    await samla('network', 'import', EXAMPLE);
    const r = await samla('agenda', 'agder-helse-2027', '--from', '2027-01-18', '--to', '2027-02-20');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wed 2027-01-20 09:00 {2}task {14}Oppstartssamling · Avklar mandat og sammensetning for styringsgruppen/);
    expect(r.stdout).toMatch(/Mon 2027-02-08 08:00 {2}check-in/);
    expect(r.stdout).toContain('moved from 2027-02-07 09:00 (weekend)');
    expect(r.stdout).toMatch(/8 recipients: Ola Hansen \(4204\)/);
  });

  it('answers a date it cannot read with exit 2 and an example', async () => {
    const r = await samla('agenda', 'agder-helse-2027', '--from', '2027-13-40');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--from "2027-13-40" is not a date like 2027-01-31');
  });
});

describe('bad input and failures', () => {
  const fixtures = readdirSync(MALFORMED).filter((f) => f.endsWith('.yaml')).sort();

  it('has at least 20 malformed network files', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s: exit 2, a located explanation, and Redis untouched', async (name) => {
    await samla('network', 'import', EXAMPLE);
    const file = path.join(MALFORMED, name);
    const expected = readFileSync(file, 'utf8').split('\n')[0]!.replace(/^# expect: /, '').trim();
    const before = await snapshot(ctx.redis, ctx.prefix);
    const r = await samla('network', 'import', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stdout).toBe('');
    expect(await snapshot(ctx.redis, ctx.prefix)).toEqual(before);
  });

  it('says so when the file does not exist', async () => {
    const r = await samla('network', 'import', '/nonexistent/network.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/network.yaml does not exist');
  });

  it('names the known networks when asked for an unknown one', async () => {
    const r = await samla('network', 'show', 'no-such-network');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('There is no network "no-such-network". Known networks: agder-helse-2027.');
  });

  it('exits 2 on bad usage', async () => {
    expect((await samla('network', 'frobnicate')).code).toBe(2);
    expect((await samla('agenda')).code).toBe(2);
  });

  it('exits 1 with advice when Redis does not answer', async () => {
    let stderr = '';
    const code = await main(['network', 'list'], {
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
      stdout: { write: () => {} },
      stderr: { write: (s: string) => void (stderr += s) },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot reach Redis at redis://127.0.0.1:1');
    expect(stderr).toContain('set REDIS_URL');
  });

  it('exits 2 naming the variable when the environment is invalid', async () => {
    let stderr = '';
    const code = await main(['network', 'list'], {
      env: { REDIS_URL: 'http://localhost' },
      stdout: { write: () => {} },
      stderr: { write: (s: string) => void (stderr += s) },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('REDIS_URL="http://localhost": must start with redis:// or rediss://');
  });
});

describe('the samla binary', () => {
  it('runs as a real process: import then list', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, REDIS_URL: ctx.url, SAMLA_REDIS_PREFIX: ctx.prefix };
    await run(process.execPath, [path.join(root, 'bin/samla.js'), 'network', 'import', EXAMPLE], { env });
    const { stdout } = await run(process.execPath, [path.join(root, 'bin/samla.js'), 'network', 'list', '--json'], { env });
    expect(JSON.parse(stdout).map((n: { id: string }) => n.id)).toContain('agder-helse-2027');
  });

  it('exits 2 for an invalid file, as a real process', async () => {
    const r = await promisify(execFile)(process.execPath, [path.join(root, 'bin/samla.js'), 'network', 'import', path.join(MALFORMED, readdirSync(MALFORMED)[0]!)], {
      env: { ...process.env, REDIS_URL: ctx.url, SAMLA_REDIS_PREFIX: ctx.prefix },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
  });
});
