/**
 * The Lua scripts of the Redis adapters, loaded from ./lua/*.lua and registered on a connection
 * as ioredis commands named after the file (`lua/samlaOccClaim.lua` → `redis.samlaOccClaim(…)`).
 *
 * Each script runs atomically on the server. Every key a script touches is passed in KEYS and
 * carries the network's hash tag (./keys.ts), so the scripts also work on Redis Cluster.
 *
 * A script's header says what it takes, one `--!` line each (plain `--` lines are comments):
 *
 *     --! KEYS[1] occ     (hash) occurrence id -> state
 *     --! KEYS[2..] reflections, reflectionsById  repeated after the fixed keys, in groups
 *     --! ARGV[1] now     ISO instant
 *     --! ARGV[2..] rest  any number of further arguments
 *     --! include lib/event.lua
 *
 * `include` pastes a fragment of ./lua/lib (a Lua function taking its keys as parameters) where
 * the line is, so a shared part such as the event XADD is written once. The number of keys
 * comes from the header: a script with fixed keys is called with its keys and arguments only;
 * one with a repeated group takes the count first, from `withKeyCount`. Loading fails, with the
 * file and line, when the header and the script disagree: a KEYS or ARGV index beyond the
 * header, a declared one the script never reads, keys counted (`#KEYS`) without a repeated
 * group, a key name built from KEYS (Cluster must see every key), a missing or circular include.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientContext, Result } from 'ioredis';
import type { RedisClient } from './client.ts';

/** Where the scripts are: next to this module, so they are found from source and installed alike. */
export const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));

/** One loaded script. */
export interface LuaScript {
  /** The ioredis command name: the file name without `.lua`. */
  readonly name: string;
  readonly file: string;
  /** The source with its includes pasted in, as sent to Redis. */
  readonly lua: string;
  /** Names of KEYS[1..n]. */
  readonly keys: readonly string[];
  /** Names of a group of keys repeated after the fixed ones (KEYS[n+1..]), when there is one. */
  readonly keyGroup?: readonly string[];
  /** Names of ARGV[1..m]. */
  readonly argv: readonly string[];
  /** Name of the further arguments after ARGV[m], when there may be any. */
  readonly argvRest?: string;
  /** The key count given to ioredis: the fixed keys, or undefined with a repeated group. */
  readonly numberOfKeys?: number;
}

/** A script or fragment that cannot be used as written. */
export class LuaScriptError extends Error {
  override readonly name = 'LuaScriptError';
}

type Include = (relative: string) => string | undefined;

interface Declared {
  names: string[];
  repeated?: string[];
}

const DIRECTIVE = /^--!\s*(.*)$/;
const ENTRY = /^(KEYS|ARGV)\[(\d+)(\.\.)?\]\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)(?:\s+.*)?$/;
const INCLUDE = /^include\s+(\S+)$/;

/**
 * Parses one script's source: reads its header, pastes its includes and checks that the body
 * uses KEYS and ARGV as the header says. `include` answers a fragment's source by its path
 * relative to the scripts' folder (undefined when there is none).
 */
export function parseLuaScript(file: string, source: string, include: Include): LuaScript {
  const name = path.basename(file, '.lua');
  const where = (line: number) => `${file}:${line}`;
  const declared: Record<'KEYS' | 'ARGV', Declared> = { KEYS: { names: [] }, ARGV: { names: [] } };
  const out: string[] = [];
  let inHeader = true;
  source.split('\n').forEach((text, i) => {
    const line = i + 1;
    const d = DIRECTIVE.exec(text.trim());
    if (!d) {
      if (text.trim() !== '' && !text.trim().startsWith('--')) inHeader = false;
      out.push(text);
      return;
    }
    if (!inHeader) throw new LuaScriptError(`${where(line)}: "--!" lines belong in the header, before the first line of code.`);
    const directive = d[1]!.trim();
    const inc = INCLUDE.exec(directive);
    if (inc) {
      out.push(resolveInclude(inc[1]!, include, `${where(line)}`, []));
      return;
    }
    const entry = ENTRY.exec(directive);
    if (!entry) {
      throw new LuaScriptError(`${where(line)}: cannot read "--! ${directive}"; write "--! KEYS[1] name description", "--! ARGV[2..] name description" or "--! include lib/file.lua".`);
    }
    const [, table, index, rest, names] = entry as unknown as [string, 'KEYS' | 'ARGV', string, string | undefined, string];
    const t = declared[table];
    if (t.repeated) throw new LuaScriptError(`${where(line)}: ${table}[${index}] comes after the repeated ${table}[${t.names.length + 1}..]; the repeated part must be last.`);
    if (Number(index) !== t.names.length + 1) {
      throw new LuaScriptError(`${where(line)}: expected ${table}[${t.names.length + 1}] next, found ${table}[${index}]; number them 1, 2, 3… without gaps.`);
    }
    const list = names.split(',').map((n) => n.trim());
    if (rest) t.repeated = list;
    else if (list.length > 1) throw new LuaScriptError(`${where(line)}: ${table}[${index}] names ${list.join(', ')}; one name per line, or "${table}[${index}..]" for a repeated group.`);
    else t.names.push(list[0]!);
    out.push(text);
  });
  const lua = out.join('\n');
  checkUse(file, lua, 'KEYS', declared.KEYS);
  checkUse(file, lua, 'ARGV', declared.ARGV);
  return {
    name,
    file,
    lua,
    keys: declared.KEYS.names,
    ...(declared.KEYS.repeated ? { keyGroup: declared.KEYS.repeated } : { numberOfKeys: declared.KEYS.names.length }),
    argv: declared.ARGV.names,
    ...(declared.ARGV.repeated ? { argvRest: declared.ARGV.repeated.join(', ') } : {}),
  };
}

/** A fragment's source, its own includes pasted in; fragments take everything as parameters. */
function resolveInclude(relative: string, include: Include, from: string, chain: string[]): string {
  if (chain.includes(relative)) throw new LuaScriptError(`${from}: include ${[...chain, relative].join(' -> ')} goes round in a circle.`);
  const source = include(relative);
  if (source === undefined) throw new LuaScriptError(`${from}: includes ${relative}, which does not exist (looked in ${LUA_DIR}).`);
  const lines = source.split('\n').map((text, i) => {
    const d = DIRECTIVE.exec(text.trim());
    if (!d) return text;
    const inc = INCLUDE.exec(d[1]!.trim());
    if (!inc) throw new LuaScriptError(`${relative}:${i + 1}: a fragment has no KEYS or ARGV of its own; only "--! include" lines are allowed in it.`);
    return resolveInclude(inc[1]!, include, `${relative}:${i + 1}`, [...chain, relative]);
  });
  const body = lines.join('\n');
  const used = /\b(KEYS|ARGV)\b/.exec(stripComments(body));
  if (used) throw new LuaScriptError(`${relative}: a fragment must not read ${used[1]}; pass the keys and values to its function instead.`);
  return `-- ${relative}\n${body.replace(/\n+$/, '')}\n-- end of ${relative}`;
}

function stripComments(lua: string): string {
  return lua.replace(/--[^\n]*/g, '');
}

/** Checks the body against the header: no index beyond it, none declared but unread. */
function checkUse(file: string, lua: string, table: 'KEYS' | 'ARGV', d: Declared): void {
  const code = stripComments(lua);
  const literal = new Set([...code.matchAll(new RegExp(`\\b${table}\\[\\s*(\\d+)\\s*\\]`, 'g'))].map((m) => Number(m[1])));
  const counted = new RegExp(`#${table}\\b|\\b${table}\\[\\s*[^\\d\\s]|unpack\\(\\s*${table}\\b`).test(code);
  if (table === 'KEYS' && /\bKEYS\[[^\]]*\]\s*\.\.|\.\.\s*KEYS\[/.test(code)) {
    throw new LuaScriptError(`${file}: builds a key name from KEYS; pass every key the script touches in KEYS, so Redis Cluster can route it.`);
  }
  const header = (i: number) => `${table}[${i}]${d.names[i - 1] ? ` (${d.names[i - 1]})` : ''}`;
  if (!d.repeated) {
    const beyond = [...literal].filter((i) => i > d.names.length).sort((a, b) => a - b);
    if (beyond.length) {
      throw new LuaScriptError(`${file}: uses ${beyond.map((i) => `${table}[${i}]`).join(', ')}, but its header declares ${d.names.length ? `only ${table}[1..${d.names.length}]` : `no ${table}`}; add a "--! ${table}[${beyond[0]}] name description" line.`);
    }
    if (counted) throw new LuaScriptError(`${file}: reads ${table} by a computed index or counts them, but its header declares no repeated ${table}[${d.names.length + 1}..] group.`);
  }
  const unread = d.names.map((_, i) => i + 1).filter((i) => !literal.has(i));
  if (unread.length && !counted) throw new LuaScriptError(`${file}: declares ${unread.map(header).join(', ')} but never reads ${unread.length > 1 ? 'them' : 'it'}.`);
}

/** Loads every script of a folder (fragments under its `lib/`). Throws LuaScriptError. */
export function loadLuaScripts(dir: string = LUA_DIR): ReadonlyMap<string, LuaScript> {
  const include: Include = (relative) => {
    const full = path.resolve(dir, relative);
    if (!full.startsWith(path.resolve(dir) + path.sep)) return undefined;
    try {
      return readFileSync(full, 'utf8');
    } catch {
      return undefined;
    }
  };
  const scripts = new Map<string, LuaScript>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.lua')).sort()) {
    const script = parseLuaScript(f, readFileSync(path.join(dir, f), 'utf8'), include);
    scripts.set(script.name, script);
  }
  return scripts;
}

/** The adapters' scripts, read once when this module is first imported. */
export const SCRIPTS = loadLuaScripts();

/** The script's key count followed by its keys, for a script with a repeated group of keys. */
export function withKeyCount(name: string, keys: readonly string[]): [number, ...string[]] {
  const s = SCRIPTS.get(name);
  if (!s) throw new LuaScriptError(`There is no Lua script "${name}" in ${LUA_DIR}.`);
  if (!s.keyGroup) throw new LuaScriptError(`${s.file} has a fixed number of keys (${s.keys.length}); call it without a count.`);
  const repeated = keys.length - s.keys.length;
  if (repeated < 0 || repeated % s.keyGroup.length !== 0) {
    throw new LuaScriptError(`${s.file} takes ${s.keys.join(', ')} and then groups of ${s.keyGroup.join(', ')}; got ${keys.length} keys.`);
  }
  return [keys.length, ...keys];
}

/** Registers every script on a connection as a command (idempotent). */
export function defineScripts(redis: RedisClient): void {
  for (const s of SCRIPTS.values()) {
    if (typeof (redis as unknown as Record<string, unknown>)[s.name] === 'function') continue;
    redis.defineCommand(s.name, { lua: s.lua, ...(s.numberOfKeys === undefined ? {} : { numberOfKeys: s.numberOfKeys }) });
  }
}

/** samlaRecordPut replies: written; the network does not exist. samlaRecordAppend also: the id was already stored. */
export const RECORD_WRITTEN = 1;
export const RECORD_NO_NETWORK = 0;
export const RECORD_DUPLICATE = 2;

type S = string | number;

// The commands defineScripts registers; each file's header says what its arguments are.
declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** lua/samlaRecordPut.lua */
    samlaRecordPut(def: S, events: S, data: S, mode: 'put' | 'merge', field: S, json: S, type: S, at: S, actor: S, eventData: S): Result<number, Context>;
    /** lua/samlaRecordAppend.lua */
    samlaRecordAppend(def: S, events: S, data: S, order: S, id: S, json: S, score: S, type: S, at: S, actor: S, eventData: S): Result<number, Context>;
    /** lua/samlaSnapshot.lua */
    samlaSnapshot(snapshots: S, order: S, key: S, score: S, json: S, keep: S): Result<number, Context>;
    /** lua/samlaOccClaim.lua: after `now`, six values per occurrence. */
    samlaOccClaim(occ: S, counts: S, info: S, events: S, now: S, ...occurrences: S[]): Result<string[], Context>;
    /** lua/samlaOccTransition.lua */
    samlaOccTransition(occ: S, counts: S, info: S, events: S, id: S, item: S, from: S, to: S, reason: S, info2: S, type: S, at: S, data: S): Result<string, Context>;
    /** lua/samlaScheduleAdvance.lua */
    samlaScheduleAdvance(schedule: S, watermark: S, version: S, now: S): Result<number, Context>;
    /** lua/samlaPace.lua */
    samlaPace(pace: S, interval: S): Result<number, Context>;
    /** lua/samlaDeleteReflections.lua: the key count and keys from `withKeyCount`, then now, months, ended. */
    samlaDeleteReflections(...countKeysAndArgs: S[]): Result<number, Context>;
  }
}
