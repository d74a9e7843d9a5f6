/**
 * Everything Samla holds about one person, found and erased in Redis: `samla person export` and
 * `samla person forget` (src/cli/personCommand.ts). What each kind of record gives to the export
 * and what forget does with it is declared next to its key in ./recordKinds.ts; this module
 * carries the declarations out.
 *
 * The token is `anon-<12 hex>` (random, the same in every network of one `forget`), and
 * `anon-<hex>@forgotten.invalid` where an email is expected. It is not derived from the email,
 * so it cannot be traced back. Their full name is also replaced where others wrote it in free
 * text (whole words, any case). Counts (how many answered, reported, met) stay right. Removed
 * from the network definition, they must also be removed from the network file by the
 * organiser, or the next import adds them again as a new person.
 *
 * Each network is rewritten in one MULTI/EXEC under WATCH of every key it read, like an import
 * (./store.ts): all or nothing, retried when a concurrent write wins. The delivery queue's jobs
 * (BullMQ) are handled by the caller.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type RedisClient, duplicateClient, sendCommands } from './client.ts';
import { SamlaError, invalidInput } from '../../src/core/errors.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { normaliseEmail } from '../../src/core/people.ts';
import { canonicalJson } from './codec.ts';
import { createKeys, type Keys } from './keys.ts';
import { type RawValue, globEscape, hashEntries, isEmpty, networkKeyPattern, readKeys, sameValue, scanKeys, writeValue } from './rawKeys.ts';
import { RECORD_KINDS, buildersOf, keyMatcher, type ExportList, type GlobalKind, type KeyBuilder, type NetworkKind, type Whose } from './recordKinds.ts';
import { reindexNetwork } from './personIndex.ts';

/** Who is being looked for. */
export interface PersonMatcher {
  email: string;
  /** Names the person is known by (from people records and network files). */
  names: string[];
}

export interface NetworkExport {
  network: string;
  name?: string;
  person?: unknown;
  inNetworkFile: { organiser?: unknown; memberships: unknown[] };
  taskAnswers: unknown[];
  checkins: unknown[];
  statusReports: unknown[];
  reflectionNotes: unknown[];
  steeringMeetingsLogged: unknown[];
  steeringMeetingsAttended: unknown[];
  steeringLinks: unknown[];
  unreachable?: unknown;
  deliveries: { occurrence: string; state: string; info?: unknown }[];
  events: unknown[];
  otherMentions: { key: string; field?: string; value: unknown }[];
}

export interface PersonExport {
  email: string;
  exportedAt: string;
  names: string[];
  networks: NetworkExport[];
  identities: Record<string, string>;
  teams?: { person?: Record<string, string>; personalChat?: unknown };
  otherKeys: { key: string; value: unknown }[];
}

export interface ForgetReport {
  email: string;
  token: string;
  networks: { network: string; removedFromFile: boolean; deleted: Record<string, number>; anonymised: Record<string, number> }[];
  globalKeysDeleted: number;
}

const MAX_ATTEMPTS = 10;

export function anonymousToken(): string {
  return `anon-${randomBytes(6).toString('hex')}`;
}

export function tokenEmail(token: string): string {
  return `${token}@forgotten.invalid`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces the person's email and (whole-word) names in text. */
export class Replacer {
  private readonly patterns: RegExp[];
  private readonly test: RegExp[];

  constructor(
    readonly person: PersonMatcher,
    readonly token: string,
  ) {
    const names = [...new Set(person.names.map((n) => n.trim()).filter((n) => n.length >= 2))].sort((a, b) => b.length - a.length);
    this.patterns = [
      // The whole address only: forgetting aas@x must not touch tone.aas@x.
      new RegExp(`(?<![\\p{L}\\p{N}._%+-])${escapeRegExp(person.email)}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, 'giu'),
      ...names.map((n) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(n)}(?![\\p{L}\\p{N}])`, 'giu')),
    ];
    this.test = this.patterns.map((p) => new RegExp(p.source, 'iu'));
  }

  mentions(text: string): boolean {
    return this.test.some((p) => p.test(text));
  }

  text(s: string): string {
    if (!this.mentions(s)) return s;
    const [emailPattern, ...namePatterns] = this.patterns;
    let out = s.replace(emailPattern!, tokenEmail(this.token));
    for (const p of namePatterns) out = out.replace(p, this.token);
    return out;
  }

  /** Replaces inside any JSON value (strings, keys of objects too). */
  deep(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.deep(x));
    if (v && typeof v === 'object') {
      // A record about someone else (a member, a person, an organiser) keeps its own name, even
      // when it is the same as the forgotten person's: only the email says who a record is.
      const email = (v as { email?: unknown }).email;
      const someoneElse = typeof email === 'string' && email.toLowerCase() !== this.person.email.toLowerCase();
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [this.text(k), someoneElse && k === 'name' ? x : this.deep(x)]),
      );
    }
    return v;
  }

  /** A stored string: as JSON when it is JSON, else as text. */
  stored(s: string): string {
    if (!this.mentions(s)) return s;
    const parsed = tryJson(s);
    return parsed === undefined ? this.text(s) : canonicalJson(this.deep(parsed));
  }
}

function tryJson(s: string): unknown {
  if (!/^\s*[[{]/.test(s)) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function parse(json: string): Record<string, unknown> | undefined {
  const v = tryJson(json);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function sameEmail(v: unknown, email: string): boolean {
  return typeof v === 'string' && normaliseEmail(v) === email;
}

/**
 * The person's entries in a network definition (organiser, memberships), the names it knows
 * them by, and the definition without them.
 */
export function personInDefinition(def: NetworkDefinition, email: string) {
  const organiser = def.organisers.find((o) => sameEmail(o.email, email));
  const memberships = def.municipalities.flatMap((m) => m.members.filter((p) => sameEmail(p.email, email)).map((p) => ({ municipality: m.id, municipalityName: m.name, ...p })));
  const names = [organiser?.name, ...memberships.map((m) => m.name)].filter((n): n is string => !!n);
  const without: NetworkDefinition = {
    ...def,
    organisers: def.organisers.filter((o) => !sameEmail(o.email, email)),
    municipalities: def.municipalities.map((m) => ({ ...m, members: m.members.filter((p) => !sameEmail(p.email, email)) })),
  };
  return { organiser, memberships, names, without, present: !!organiser || memberships.length > 0 };
}

export class PersonData {
  readonly keys: Keys;

  constructor(
    private readonly redis: RedisClient,
    opts: { prefix?: string } = {},
  ) {
    this.keys = createKeys(opts.prefix);
  }

  /** Ids of every network Samla holds (the index, plus any network key found by SCAN). */
  async networkIds(): Promise<string[]> {
    const ids = new Set(await this.redis.smembers(this.keys.networks()));
    for (const key of await scanKeys(this.redis, `${globEscape(this.keys.prefix)}{*}:def`)) {
      const m = /\{([^}]+)\}:def$/.exec(key);
      if (m && m[1] !== 'bull') ids.add(m[1]!);
    }
    return [...ids].sort();
  }

  /** The names the person is known by, from every network's people and definition. */
  async matcher(email: string): Promise<PersonMatcher> {
    const e = normaliseEmail(email);
    const names = new Set<string>();
    for (const id of await this.networkIds()) {
      const person = parse((await this.redis.hget(this.keys.people(id), e)) ?? '');
      if (typeof person?.name === 'string') names.add(person.name);
      const defJson = await this.redis.get(this.keys.def(id));
      const def = defJson ? (parse(defJson) as NetworkDefinition | undefined) : undefined;
      if (def?.organisers && def.municipalities) for (const n of personInDefinition(def, e).names) names.add(n);
    }
    return { email: e, names: [...names] };
  }

  /** Everything about the person, as plain data (`samla person export`). */
  async export(email: string, now: Date): Promise<PersonExport> {
    const person = await this.matcher(email);
    const replacer = new Replacer(person, 'x');
    const networks: NetworkExport[] = [];
    for (const id of await this.networkIds()) {
      const raw = await readKeys(this.redis, await scanKeys(this.redis, networkKeyPattern(this.keys, id)));
      const found = exportNetwork(this.keys, id, raw, person, replacer);
      if (found) networks.push(found);
    }
    const global = await this.globalKeys(person);
    return {
      email: person.email,
      exportedAt: now.toISOString(),
      names: person.names,
      networks,
      identities: global.identities,
      ...(global.teams ? { teams: global.teams } : {}),
      otherKeys: global.other.map(([key, value]) => ({ key, value: value.value })),
    };
  }

  /**
   * Erases the person's personal data in every network (one transaction per network) and the
   * global keys about them. Refuses, before writing anything, when they are the only organiser of
   * a network. Returns what was deleted and anonymised.
   */
  async forget(email: string, opts: { now: Date; token?: string }): Promise<ForgetReport> {
    const person = await this.matcher(email);
    const token = opts.token ?? anonymousToken();
    const replacer = new Replacer(person, token);
    const ids = await this.networkIds();
    for (const id of ids) {
      const defJson = await this.redis.get(this.keys.def(id));
      const def = defJson ? (parse(defJson) as NetworkDefinition | undefined) : undefined;
      if (!def?.organisers) continue;
      const inDef = personInDefinition(def, person.email);
      if (inDef.organiser && inDef.without.organisers.length === 0) {
        throw invalidInput(
          `${person.email} is the only organiser of "${id}"; a network needs one. Add another organiser to the network file, import it (samla network import), then run forget again.`,
        );
      }
    }
    const report: ForgetReport = { email: person.email, token, networks: [], globalKeysDeleted: 0 };
    for (const id of ids) {
      const r = await this.forgetInNetwork(id, person, replacer, opts.now);
      if (r) report.networks.push(r);
    }
    const global = await this.globalKeys(person);
    const toDelete = [...global.toDelete];
    // Global keys, each in its own Cluster slot: one DEL each (safe to repeat: forget again).
    const deleted = await sendCommands(this.redis, toDelete.map((key) => ['del', key]));
    const failed = deleted.find(([err]) => err);
    if (failed) throw new SamlaError('UNAVAILABLE', `Deleting ${person.email}'s global keys failed: ${failed[0]!.message}. Run forget again.`, { cause: failed[0] });
    report.globalKeysDeleted = toDelete.length;
    // The person index of everyone else in the networks that changed, at their new version (and
    // the generation bumped), so no process keeps the definition that still names them.
    for (const r of report.networks) await reindexNetwork(this.redis, this.keys, r.network);
    return report;
  }

  /** One network, all or nothing (WATCH / read / MULTI, retried on a concurrent write). */
  private async forgetInNetwork(id: string, person: PersonMatcher, replacer: Replacer, now: Date): Promise<ForgetReport['networks'][number] | undefined> {
    const conn = duplicateClient(this.redis, { commandTimeout: undefined, enableOfflineQueue: true });
    conn.on('error', () => {});
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const keys = await scanKeys(conn, networkKeyPattern(this.keys, id));
        if (keys.length === 0) return undefined;
        await conn.watch(...keys);
        const raw = await readKeys(conn, keys);
        const plan = planForget(this.keys, id, raw, person, replacer, now);
        if (plan.writes.size === 0) {
          await conn.unwatch();
          return undefined;
        }
        const multi = conn.multi();
        for (const [key, value] of plan.writes) {
          multi.del(key);
          if (value) writeValue(multi, key, value);
        }
        const result = await multi.exec();
        if (result === null) continue; // a concurrent write: read again
        const failed = result.find(([err]) => err);
        if (failed) throw new SamlaError('INTERNAL', `Forgetting ${person.email} in "${id}" failed: ${failed[0]!.message}`, { cause: failed[0] });
        return { network: id, removedFromFile: plan.removedFromFile, deleted: plan.deleted, anonymised: plan.anonymised };
      }
      throw new SamlaError('CONFLICT', `The network "${id}" kept changing while ${person.email} was being forgotten. Run forget again.`);
    } finally {
      conn.disconnect();
    }
  }

  /**
   * Global (non-network) keys about the person, by their declarations (./recordKinds.ts):
   * identities, Teams references, indexes; and any other global key that names them.
   */
  private async globalKeys(person: PersonMatcher) {
    const k = this.keys;
    const match = keyMatcher(k, 'global');
    const replacer = new Replacer(person, 'x');
    const identities: Record<string, string> = {};
    let teams: PersonExport['teams'];
    const other: [string, RawValue][] = [];
    const toDelete: string[] = [];
    // Their personal Teams chat is the one their Teams reference points to.
    const tenants = await this.redis.smembers(k.teamsPersonTenants(person.email));
    const refs = await Promise.all([k.teamsPerson(person.email), ...tenants.map((t) => k.teamsPersonIn(t, person.email))].map((key) => this.redis.hgetall(key)));
    const chatIds = new Set(refs.map((r) => r.conversationId).filter((c): c is string => !!c));
    const isTheirs = (kind: GlobalKind, last: string | undefined, v: RawValue): boolean => {
      if (kind.whose === 'keyEmail') return last !== undefined && normaliseEmail(last) === person.email;
      if (kind.whose === 'valueEmail') return v.type === 'string' && sameEmail(v.value, person.email);
      if (kind.whose === 'teamsChat') return last !== undefined && chatIds.has(last) && (v.type === 'hash' ? v.value.kind : v.type === 'string' ? parse(v.value)?.kind : undefined) === 'personal';
      return false;
    };
    // Outside the networks and the delivery queues (they carry a hash tag).
    const candidates = (await scanKeys(this.redis, `${globEscape(k.prefix)}*`)).filter((key) => !key.includes('{'));
    for (let i = 0; i < candidates.length; i += 500) {
      for (const [key, v] of await readKeys(this.redis, candidates.slice(i, i + 500))) {
        const m = match(key);
        const kind = m && (RECORD_KINDS[m.builder] as GlobalKind);
        if (m && kind && isTheirs(kind, m.params.at(-1), v)) {
          if (kind.export === 'identities' && v.type === 'string') identities[m.params[0]!] = v.value;
          if (kind.export === 'teamsPerson' && v.type === 'hash') teams = { ...teams, person: v.value };
          if (kind.export === 'teamsChat') teams = { ...teams, personalChat: v.value };
          if (kind.forget === 'delete') toDelete.push(key);
        } else if (replacer.mentions(key) || replacer.mentions(JSON.stringify(v.value))) {
          other.push([key, v]);
          toDelete.push(key);
        }
      }
    }
    return { identities, teams, other, toDelete };
  }
}

/** One key of a network, with its declaration (none for a key no builder of ./keys.ts makes). */
interface KindedKey {
  key: string;
  value: RawValue;
  builder?: KeyBuilder;
  kind?: NetworkKind;
  /** The builder's arguments after the network id. */
  params: string[];
}

/** A network's keys with their declarations, in declaration order; undeclared keys last. */
function kinded(keys: Keys, id: string, raw: Map<string, RawValue>): KindedKey[] {
  const match = keyMatcher(keys, 'network', id);
  const order = new Map(buildersOf('network').map(([b], i) => [b, i]));
  return [...raw]
    .map(([key, value]): KindedKey => {
      const m = match(key);
      return m ? { key, value, builder: m.builder, kind: RECORD_KINDS[m.builder] as NetworkKind, params: m.params } : { key, value, params: [] };
    })
    .sort((a, b) => (a.builder ? order.get(a.builder)! : order.size) - (b.builder ? order.get(b.builder)! : order.size));
}

/** The person, as `whose` finds them in one entry of a hash. */
interface Who {
  email: string;
  /** Their names, lower case. */
  names: string[];
}

function attendeeIsThem(a: { name?: unknown }, who: Who): boolean {
  return typeof a.name === 'string' && who.names.includes(a.name.trim().toLowerCase());
}

/** Whether one hash entry is the person's, by `whose`. */
function isTheirs(whose: Whose, field: string, rec: Record<string, unknown> | undefined, who: Who): boolean {
  switch (whose) {
    case 'field':
      return field === who.email;
    case 'occurrence':
      return field.toLowerCase().endsWith(`:${who.email}`);
    case 'attendee':
      return Array.isArray(rec?.attendees) && (rec.attendees as { name?: unknown }[]).some((a) => attendeeIsThem(a, who));
    default:
      return sameEmail(rec?.[whose], who.email);
  }
}

/** Collects what a network holds about the person, kind by kind; undefined when nothing. */
function exportNetwork(keys: Keys, id: string, raw: Map<string, RawValue>, person: PersonMatcher, replacer: Replacer): NetworkExport | undefined {
  const who: Who = { email: person.email, names: person.names.map((n) => n.toLowerCase()) };
  const out: NetworkExport = {
    network: id,
    inNetworkFile: { memberships: [] },
    taskAnswers: [],
    checkins: [],
    statusReports: [],
    reflectionNotes: [],
    steeringMeetingsLogged: [],
    steeringMeetingsAttended: [],
    steeringLinks: [],
    deliveries: [],
    events: [],
    otherMentions: [],
  };
  let found = false;
  const occInfo = raw.get(keys.occurrenceInfo(id));
  for (const { key, value: v, kind } of kinded(keys, id, raw)) {
    const rule = kind?.export ?? 'mentions';
    if (rule === 'definition') {
      const def = v.type === 'string' ? (parse(v.value) as NetworkDefinition | undefined) : undefined;
      if (!def?.organisers) continue;
      out.name = def.name;
      const inDef = personInDefinition(def, person.email);
      if (inDef.organiser) out.inNetworkFile.organiser = inDef.organiser;
      out.inNetworkFile.memberships = inDef.memberships;
      found ||= inDef.present;
    } else if (rule === 'events') {
      if (v.type !== 'stream') continue;
      for (const [eventId, fields] of v.value) {
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        if (sameEmail(f.actor, person.email) || replacer.mentions(fields.join('\n'))) {
          found = true;
          out.events.push({ id: eventId, type: f.type, at: f.at, ...(f.actor ? { actor: f.actor } : {}), data: parse(f.data ?? '') ?? f.data });
        }
      }
    } else if (rule === 'mentions') {
      for (const { field, value } of mentionsIn(v, replacer)) {
        found = true;
        out.otherMentions.push({ key, ...(field !== undefined ? { field } : {}), value });
      }
    } else if ('one' in rule) {
      for (const [field, json] of hashEntries(v)) {
        if (!kind!.whose!.some((w) => isTheirs(w, field, parse(json), who))) continue;
        found = true;
        out[rule.one] = parse(json) ?? json;
      }
    } else if ('lists' in rule) {
      for (const [field, json] of hashEntries(v)) {
        const rec = parse(json);
        for (const [whose, list] of Object.entries(rule.lists) as [Whose, ExportList][]) {
          if (!isTheirs(whose, field, rec, who)) continue;
          found = true;
          if (list === 'deliveries') {
            const info = occInfo?.type === 'hash' ? occInfo.value[field] : undefined;
            out.deliveries.push({ occurrence: field, state: json, ...(info ? { info: parse(info) ?? info } : {}) });
          } else {
            out[list].push(rec ?? json);
          }
        }
      }
    }
  }
  return found ? out : undefined;
}

function mentionsIn(v: RawValue, r: Replacer): { field?: string; value: unknown }[] {
  switch (v.type) {
    case 'string':
      return r.mentions(v.value) ? [{ value: tryJson(v.value) ?? v.value }] : [];
    case 'hash':
      return Object.entries(v.value)
        .filter(([f, x]) => r.mentions(f) || r.mentions(x))
        .map(([field, x]) => ({ field, value: tryJson(x) ?? x }));
    case 'stream':
      return v.value.filter(([, fields]) => r.mentions(fields.join('\n'))).map(([field, fields]) => ({ field, value: fields }));
    case 'zset':
      return v.value.filter(([m]) => r.mentions(m)).map(([m]) => ({ value: m }));
    default:
      return v.value.filter((m) => r.mentions(m)).map((m) => ({ value: m }));
  }
}

interface ForgetPlan {
  /** Keys to replace (null: delete). */
  writes: Map<string, RawValue | null>;
  removedFromFile: boolean;
  deleted: Record<string, number>;
  anonymised: Record<string, number>;
}

/** What forgetting the person changes in one network, kind by kind, from what was read. Pure. */
export function planForget(keys: Keys, id: string, raw: Map<string, RawValue>, person: PersonMatcher, r: Replacer, now: Date): ForgetPlan {
  const plan: ForgetPlan = { writes: new Map(), removedFromFile: false, deleted: {}, anonymised: {} };
  const count = (bag: Record<string, number>, what: string) => (bag[what] = (bag[what] ?? 0) + 1);
  const who: Who = { email: person.email, names: person.names.map((n) => n.toLowerCase()) };
  const tokenMail = tokenEmail(r.token);
  const defJson = raw.get(keys.def(id));
  const def = defJson?.type === 'string' ? (parse(defJson.value) as NetworkDefinition | undefined) : undefined;
  const inDef = def?.organisers ? personInDefinition(def, person.email) : undefined;
  const textQuestions = new Set((def?.checkin?.questions ?? []).filter((q) => q.kind !== 'choice').map((q) => q.id));
  /** Ids deleted from each by-id hash, so the order sets that `follow` it drop them too. */
  const deletedIds = new Map<string, Set<string>>();

  // Order sets after the hashes they follow.
  const follows = (k: KindedKey) => Number(typeof k.kind?.forget === 'object' && 'follow' in k.kind.forget);
  const ordered = kinded(keys, id, raw).sort((a, b) => follows(a) - follows(b));
  for (const { key, value: v, kind, params } of ordered) {
    const rule = kind?.forget ?? { replace: null };
    const whose = kind?.whose ?? [];
    let next: RawValue | null = v;
    /** The hash with each entry kept, changed (a new field and value) or dropped (null). */
    const eachEntry = (f: (field: string, json: string, rec: Record<string, unknown> | undefined) => [string, string] | null): RawValue => {
      const out: Record<string, string> = {};
      for (const [field, json] of hashEntries(v)) {
        const rec = parse(json);
        const kept: [string, string] | null = whose.some((w) => isTheirs(w, field, rec, who)) ? f(field, json, rec) : [field, json];
        if (kept) out[kept[0]] = kept[1];
      }
      return { type: 'hash', value: out };
    };
    if (rule === 'definition') {
      if (inDef?.present) {
        plan.removedFromFile = true;
        next = { type: 'string', value: canonicalJson(inDef.without) };
      }
    } else if (rule === 'definitionChanged') {
      if (v.type === 'hash' && inDef?.present) {
        const w = inDef.without;
        const people = new Set([...w.organisers.map((o) => normaliseEmail(o.email)), ...w.municipalities.flatMap((m) => m.members.map((p) => normaliseEmail(p.email)))]);
        // The digest is of the definition; it changed.
        next = { type: 'hash', value: { ...v.value, version: String(Number(v.value.version ?? 0) + 1), people: String(people.size), digest: createDigest(canonicalJson(w)), forgottenAt: now.toISOString() } };
      }
    } else if ('delete' in rule && v.type === 'hash') {
      const gone = new Set<string>();
      deletedIds.set(key, gone);
      next = eachEntry((field) => (gone.add(field), count(plan.deleted, rule.delete), null));
    } else if ('anonymise' in rule && v.type === 'hash') {
      next = eachEntry((field, json, rec) => {
        count(plan.anonymised, rule.anonymise);
        if (!rec) return [r.text(field), json];
        const anon: Record<string, unknown> = { ...rec };
        for (const w of whose) {
          if ((w === 'email' || w === 'loggedBy' || w === 'linkedBy') && sameEmail(rec[w], who.email)) anon[w] = tokenMail;
          if (w === 'attendee' && Array.isArray(rec.attendees)) anon.attendees = (rec.attendees as { name?: unknown }[]).map((a) => (attendeeIsThem(a, who) ? { ...a, name: r.token } : a));
        }
        if (rule.drop === 'textAnswers') {
          if (rec.answers && typeof rec.answers === 'object') anon.answers = Object.fromEntries(Object.entries(rec.answers as Record<string, string>).filter(([q]) => !textQuestions.has(q)));
        } else {
          for (const f of rule.drop ?? []) delete anon[f];
        }
        return [r.text(field), canonicalJson(anon)];
      });
    } else if ('follow' in rule && v.type === 'zset') {
      const gone = deletedIds.get((keys[rule.follow] as (...a: string[]) => string)(id, ...params));
      if (gone) next = { type: 'zset', value: v.value.filter(([m]) => !gone.has(m)) };
    }
    // Everything (also what was handled above): the email and names left anywhere become the token.
    next = next ? anonymiseValue(next, r) : null;
    if (sameValue(next, v)) continue;
    if (typeof rule === 'object' && 'replace' in rule && rule.replace) count(plan.anonymised, rule.replace);
    plan.writes.set(key, isEmpty(next) ? null : next);
  }
  return plan;
}

function anonymiseValue(v: RawValue, r: Replacer): RawValue {
  switch (v.type) {
    case 'string':
      return { type: 'string', value: r.stored(v.value) };
    case 'hash':
      return { type: 'hash', value: Object.fromEntries(Object.entries(v.value).map(([f, x]) => [r.text(f), r.stored(x)])) };
    case 'zset':
      return { type: 'zset', value: v.value.map(([m, s]) => [r.stored(m), s]) };
    case 'set':
      return { type: 'set', value: v.value.map((m) => r.stored(m)) };
    case 'list':
      return { type: 'list', value: v.value.map((m) => r.stored(m)) };
    case 'stream':
      return { type: 'stream', value: v.value.map(([id, fields]) => [id, fields.map((x) => r.stored(x))]) };
  }
}

function createDigest(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}
