/**
 * The Lua scripts (adapters/redis/lua): their headers name KEYS and ARGV, the key count comes
 * from there, shared parts are included once, and a header that disagrees with its script
 * stops the load with the file and the reason.
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LUA_DIR, LuaScriptError, SCRIPTS, defineScripts, loadLuaScripts, withKeyCount } from '../adapters/redis/scripts.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

let t: TestRedis;
const dirs: string[] = [];

beforeAll(async () => {
  t = await testRedis();
  defineScripts(t.redis);
});

afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await t?.cleanup();
});

/** A scripts folder with these files (paths relative to it). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'samla-lua-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'lib'));
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

const loadError = (files: Record<string, string>): string => {
  try {
    loadLuaScripts(folder(files));
  } catch (e) {
    expect(e).toBeInstanceOf(LuaScriptError);
    return (e as Error).message;
  }
  throw new Error('the scripts loaded');
};

describe('the scripts of adapters/redis/lua', () => {
  it('load with the key count of their header, and every one compiles on Redis', async () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    expect([...SCRIPTS.keys()].sort()).toEqual(files.map((f) => f.replace(/\.lua$/, '')).sort());
    expect(SCRIPTS.get('samlaOccClaim')).toMatchObject({ keys: ['occ', 'counts', 'info', 'events'], numberOfKeys: 4, argv: ['now'], argvRest: 'occurrences' });
    expect(SCRIPTS.get('samlaRecordAppend')).toMatchObject({ keys: ['def', 'events', 'data', 'order'], numberOfKeys: 4 });
    expect(SCRIPTS.get('samlaDeleteReflections')).toMatchObject({ keys: ['events'], keyGroup: ['reflections', 'reflectionsById'] });
    expect(SCRIPTS.get('samlaDeleteReflections')!.numberOfKeys).toBeUndefined();
    for (const s of SCRIPTS.values()) expect(await t.redis.script('LOAD', s.lua)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('write the event XADD once, in an included fragment', () => {
    const sources = readdirSync(LUA_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.lua'))
      .map((f) => [f, readFileSync(path.join(LUA_DIR, f), 'utf8')] as const);
    expect(sources.filter(([, text]) => text.includes("'XADD'")).map(([f]) => f)).toEqual([path.join('lib', 'event.lua')]);
    for (const name of ['samlaRecordPut', 'samlaRecordAppend', 'samlaOccClaim', 'samlaOccTransition', 'samlaDeleteReflections']) {
      expect(SCRIPTS.get(name)!.lua).toContain('local function add_event(');
    }
  });

  it('are called with their keys and arguments only; the count is the header’s', async () => {
    const pace = `${t.prefix}pace:slack:person:x`;
    expect(await t.redis.samlaPace(pace, 60_000)).toBe(0);
    expect(await t.redis.samlaPace(pace, 60_000)).toBeGreaterThan(50_000);
    const events = `${t.prefix}{n}:events`;
    const [zset, hash] = [`${t.prefix}{n}:reflections:4204`, `${t.prefix}{n}:reflections:4204:byid`];
    await t.redis.hset(hash, 'r1', '{}', 'r2', '{}');
    await t.redis.zadd(zset, 1, 'r1', 2, 'r2');
    expect(await t.redis.samlaDeleteReflections(...withKeyCount('samlaDeleteReflections', [events, zset, hash]), '2028-01-01T00:00:00Z', '12', '2027-01-01T00:00:00Z')).toBe(2);
    const [[, fields] = ['', []]] = await t.redis.xrange(events, '-', '+');
    expect(fields).toEqual(['type', 'reflections.deleted', 'at', '2028-01-01T00:00:00Z', 'actor', 'retention', 'data', expect.stringContaining('"count":2')]);
    expect(() => withKeyCount('samlaDeleteReflections', [events, zset])).toThrow(/groups of reflections, reflectionsById; got 2 keys/);
    expect(() => withKeyCount('samlaPace', [pace])).toThrow(/fixed number of keys \(1\)/);
  });
});

describe('loading a script whose header disagrees with it', () => {
  const ok = '--! KEYS[1] a  the key\n--! ARGV[1] v  a value\nreturn redis.call(\'SET\', KEYS[1], ARGV[1])\n';

  it('loads a consistent one, with its include pasted in', () => {
    const dir = folder({ 'one.lua': `--! KEYS[1] a\n--! include lib/f.lua\nreturn f(KEYS[1])\n`, 'lib/f.lua': "local function f(k) return redis.call('GET', k) end\n" });
    const s = loadLuaScripts(dir).get('one')!;
    expect(s).toMatchObject({ name: 'one', keys: ['a'], argv: [], numberOfKeys: 1 });
    expect(s.lua).toContain("local function f(k) return redis.call('GET', k) end");
    expect(loadLuaScripts(folder({ 'ok.lua': ok })).get('ok')!.numberOfKeys).toBe(1);
  });

  it('fails on KEYS or ARGV beyond the header', () => {
    expect(loadError({ 'x.lua': ok.replace("ARGV[1])", "ARGV[1], KEYS[2])") })).toBe('x.lua: uses KEYS[2], but its header declares only KEYS[1..1]; add a "--! KEYS[2] name description" line.');
    expect(loadError({ 'x.lua': ok.replace("ARGV[1])", "ARGV[1], ARGV[3])") })).toContain('x.lua: uses ARGV[3], but its header declares only ARGV[1..1]');
    expect(loadError({ 'x.lua': "return redis.call('GET', KEYS[1])\n" })).toContain('x.lua: uses KEYS[1], but its header declares no KEYS');
  });

  it('fails on a declared key or value the script never reads, and on counting without a repeated group', () => {
    expect(loadError({ 'x.lua': `--! KEYS[1] a\n--! KEYS[2] b\nreturn redis.call('GET', KEYS[1])\n` })).toBe('x.lua: declares KEYS[2] (b) but never reads it.');
    expect(loadError({ 'x.lua': `--! KEYS[1] a\nfor i = 1, #KEYS do redis.call('DEL', KEYS[i]) end\n` })).toContain('counts them, but its header declares no repeated KEYS[2..] group');
    expect(loadError({ 'x.lua': `--! KEYS[1] a\nreturn redis.call('GET', KEYS[1] .. ':x')\n` })).toContain('builds a key name from KEYS');
  });

  it('fails on a missing or circular include, and on a fragment that reads KEYS', () => {
    expect(loadError({ 'x.lua': `--! include lib/nope.lua\n${ok}` })).toMatch(/^x\.lua:1: includes lib\/nope\.lua, which does not exist/);
    expect(loadError({ 'x.lua': `--! include lib/a.lua\n${ok}`, 'lib/a.lua': '--! include lib/b.lua\n', 'lib/b.lua': '--! include lib/a.lua\n' })).toContain('include lib/a.lua -> lib/b.lua -> lib/a.lua goes round in a circle');
    expect(loadError({ 'x.lua': `--! include lib/k.lua\n${ok}`, 'lib/k.lua': "local function k() return KEYS[1] end\n" })).toBe('lib/k.lua: a fragment must not read KEYS; pass the keys and values to its function instead.');
  });

  it('fails on a header it cannot read', () => {
    expect(loadError({ 'x.lua': `--! KEYS[2] b\n${ok}` })).toBe('x.lua:1: expected KEYS[1] next, found KEYS[2]; number them 1, 2, 3… without gaps.');
    expect(loadError({ 'x.lua': `--! KEY 1 a\n${ok}` })).toContain('x.lua:1: cannot read "--! KEY 1 a"');
    expect(loadError({ 'x.lua': `${ok}--! ARGV[2] late\n` })).toContain('x.lua:4: "--!" lines belong in the header');
  });
});
