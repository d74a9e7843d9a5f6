/**
 * Turning our own records into strings for Redis and back. Writing uses canonical JSON (object
 * keys sorted, undefined dropped) so two equal values always give the same string. Reading
 * checks the shape minimally: the data is ours, so a mismatch is a bug (INTERNAL), while a
 * missing key is normal and handled by the caller.
 */
import { SamlaError } from '../../src/core/errors.ts';
import type { NetworkDefinition, NetworkEvent, Person } from '../../src/core/model.ts';
import type { NetworkSummary } from '../../src/core/ports.ts';

/** JSON with object keys in sorted order, so equal values serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isPlainObject(v) ? sortedCopy(v) : v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortedCopy(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

function corrupt(what: string, where: string, cause?: unknown): SamlaError {
  return new SamlaError('INTERNAL', `Stored ${what} at ${where} is not valid; the Redis data is damaged.`, { cause });
}

/**
 * Parses a JSON object written by Samla and checks that the named fields are strings.
 * Throws INTERNAL (naming the key) when it is not.
 */
export function decodeObject<T>(json: string, requiredStrings: readonly string[], what: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw corrupt(what, where, cause);
  }
  if (!isPlainObject(value) || requiredStrings.some((f) => typeof value[f] !== 'string')) throw corrupt(what, where);
  return value as T;
}

/** Parses a stored network definition. */
export function decodeDefinition(json: string, where: string): NetworkDefinition {
  const def = decodeObject<NetworkDefinition>(json, ['id', 'name'], 'network definition', where);
  if (!Array.isArray(def.municipalities) || !Array.isArray(def.gatherings)) throw corrupt('network definition', where);
  return def;
}

/** Parses a stored person. */
export function decodePerson(json: string, where: string): Person {
  const p = decodeObject<Person>(json, ['email', 'name'], 'person', where);
  if (!Array.isArray(p.memberships)) throw corrupt('person', where);
  return p;
}

/** Reads the `meta` hash of a network; undefined when it is empty (no such network). */
export function decodeSummary(id: string, meta: Record<string, string>, where: string): NetworkSummary | undefined {
  if (Object.keys(meta).length === 0) return undefined;
  const num = (field: string): number => {
    const n = Number(meta[field]);
    if (meta[field] === undefined || !Number.isFinite(n)) throw corrupt(`network meta field "${field}"`, where);
    return n;
  };
  const summary: NetworkSummary = {
    id,
    name: meta.name ?? id,
    municipalities: num('municipalities'),
    people: num('people'),
    gatherings: num('gatherings'),
    importedAt: meta.importedAt ?? '',
    version: num('version'),
  };
  if (meta.programme) summary.programme = meta.programme;
  return summary;
}

/** Turns one stream entry (id plus a flat field list) back into a NetworkEvent. */
export function decodeEvent(id: string, fields: string[], where: string): NetworkEvent {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
  const type = f.get('type');
  const at = f.get('at');
  if (type === undefined || at === undefined) throw corrupt(`event ${id}`, where);
  const event: NetworkEvent = { id, type, at, data: {} };
  const actor = f.get('actor');
  if (actor) event.actor = actor;
  const data = f.get('data');
  if (data !== undefined) event.data = decodeObject<Record<string, unknown>>(data, [], `event ${id} data`, where);
  return event;
}

/** The flat field list of a stream entry for an event (actor omitted when absent). */
export function encodeEventFields(e: Omit<NetworkEvent, 'id'>): string[] {
  const fields = ['type', e.type, 'at', e.at];
  if (e.actor) fields.push('actor', e.actor);
  fields.push('data', canonicalJson(e.data));
  return fields;
}

/** An event as the record scripts take it (./lua/samlaRecordPut.lua): type, at, actor ('' for none), data. */
export function eventArgs(e: Omit<NetworkEvent, 'id'>): [string, string, string, string] {
  return [e.type, e.at, e.actor ?? '', canonicalJson(e.data)];
}
