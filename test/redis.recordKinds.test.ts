/**
 * Every key builder of adapters/redis/keys.ts says what `samla person export` and `samla person
 * forget` do with its records (adapters/redis/recordKinds.ts), so a new kind of record cannot be
 * left out of them; and every key is found again by the builder that made it.
 */
import { describe, expect, it } from 'vitest';
import { createKeys } from '../adapters/redis/keys.ts';
import { RECORD_KINDS, keyMatcher, type KeyBuilder, type RecordKind } from '../adapters/redis/recordKinds.ts';

const keys = createKeys('samla-kinds:');
const N = 'agder-helse-2027';
const builders = (Object.keys(keys) as (keyof typeof keys)[]).filter((k) => typeof keys[k] === 'function' && k !== 'tag') as KeyBuilder[];
const kinds = RECORD_KINDS as Record<KeyBuilder, RecordKind>;
const call = (b: KeyBuilder, ...args: string[]) => (keys[b] as (...a: string[]) => string)(...args);
/** Sample arguments: the network first for a network key; an id with a colon where one may be. */
const sample = (b: KeyBuilder): string[] => {
  const n = (keys[b] as (...a: string[]) => string).length;
  const rest = ['4204', 'a:personal-ola', 'x'].slice(0, kinds[b].scope === 'network' ? n - 1 : n);
  if (b === 'identityByEmail' || b === 'personNetworks' || b === 'teamsPerson') rest[rest.length - 1] = 'ola.hansen@kristiansand.example.no';
  if (b === 'pace') rest.splice(0, 2, 'slack', 'person:ola.hansen@kristiansand.example.no');
  if (b === 'identityByUser' || b === 'inbound' || b === 'identityByEmail') rest[0] = 'slack';
  return kinds[b].scope === 'network' ? [N, ...rest] : rest;
};

describe('record kinds', () => {
  it('declare every key builder of keys.ts, and nothing else', () => {
    expect(builders.length).toBeGreaterThan(30);
    const undeclared = builders.filter((b) => !(b in RECORD_KINDS));
    expect(undeclared, `declare what export and forget do with these in adapters/redis/recordKinds.ts`).toEqual([]);
    expect(Object.keys(RECORD_KINDS).filter((b) => !builders.includes(b as KeyBuilder))).toEqual([]);
  });

  it('put a network key in the network’s hash slot and a global key outside every network', () => {
    for (const b of builders) {
      const key = call(b, ...sample(b));
      if (kinds[b].scope === 'network') expect(key, b).toContain(`{${N}}:`);
      else if (kinds[b].scope === 'global') expect(key, b).not.toContain('{');
    }
  });

  it('find each key again by the builder that made it, with its arguments', () => {
    const network = keyMatcher(keys, 'network', N);
    const global = keyMatcher(keys, 'global');
    for (const b of builders) {
      const args = sample(b);
      const scope = kinds[b].scope;
      if (scope === 'caller') continue;
      const found = scope === 'network' ? network(call(b, ...args)) : global(call(b, ...args));
      expect(found, b).toEqual({ builder: b, params: scope === 'network' ? args.slice(1) : args });
    }
    expect(network(`samla-kinds:{${N}}:something-new`)).toBeUndefined();
    expect(network(`samla-kinds:{other}:people`)).toBeUndefined();
  });

  it('say whose entries they are wherever a rule picks entries, and follow a by-id hash of the same arguments', () => {
    for (const b of builders) {
      const kind = kinds[b];
      if (kind.scope !== 'network') continue;
      const picks = (typeof kind.export === 'object' && ('one' in kind.export || 'lists' in kind.export)) || (typeof kind.forget === 'object' && ('delete' in kind.forget || 'anonymise' in kind.forget));
      expect(picks ? (kind.whose?.length ?? 0) > 0 : true, `${b} picks the person's entries: say whose`).toBe(true);
      if (typeof kind.export === 'object' && 'lists' in kind.export) for (const w of Object.keys(kind.export.lists)) expect(kind.whose, b).toContain(w);
      if (typeof kind.forget === 'object' && 'follow' in kind.forget) {
        const byId = kind.forget.follow;
        expect(kinds[byId].scope, b).toBe('network');
        expect(call(byId, ...sample(b))).toBe(`${call(b, ...sample(b))}:byid`);
      }
    }
  });
});
