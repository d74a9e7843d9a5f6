/**
 * Everything Samla holds about one person, found and erased in Redis: `samla person export` and
 * `samla person forget` (src/cli/personCommand.ts).
 *
 * What is personal, by key (layout: ./keys.ts):
 *
 * | where                                   | export                         | forget |
 * |-----------------------------------------|--------------------------------|--------|
 * | `{n}:def` (the network file)            | their organiser / member entries | removed from the definition (version +1, so every process reloads it); the organiser must also remove them from the file, or the next import adds them again as a new person |
 * | `{n}:people`                            | their record                   | deleted |
 * | `{n}:tasks:<g>`                         | their task answers             | kept as done / not yet with the date, under the token; the comment (free text) is deleted |
 * | `{n}:checkins:<g>`                      | their check-ins                | kept under the token with the choice answers (coming yes/no…); text answers are deleted |
 * | `{n}:status:<m>[:byid]`                 | status reports they wrote      | kept under the token with overall state, plan parts, steering met and date; the texts (done, next, blockers, short status) are deleted |
 * | `{n}:reflections:<m>[:byid]`            | reflection notes they wrote    | deleted |
 * | `{n}:steering:<m>[:byid]`               | meetings logged or attended    | kept; `loggedBy` and their attendee entry become the token (the attendee count stays) |
 * | `{n}:steering-links`                    | channels they linked           | `linkedBy` becomes the token |
 * | `{n}:unreachable`                       | why Samla cannot reach them    | deleted |
 * | `{n}:occ`, `{n}:occ:info`               | prompts sent to them, states   | kept under the token (the occurrence id holds the email); where the message landed (`sentRef`) is deleted |
 * | `{n}:events`                            | events naming them             | rewritten with the same ids: their email and name become the token |
 * | any other key of the network            | anything naming them           | their email and name become the token |
 * | `identity:*`, `teams:person:<e>`, their personal Teams chat, `person:<e>:networks`, any other global key naming them | listed | deleted |
 *
 * The token is `anon-<12 hex>` (random, the same in every network of one `forget`), and
 * `anon-<hex>@forgotten.invalid` where an email is expected. It is not derived from the email,
 * so it cannot be traced back. Their full name is also replaced where others wrote it in free
 * text (whole words, any case). Counts (how many answered, reported, met) stay right.
 *
 * Each network is rewritten in one MULTI/EXEC under WATCH of every key it read, like an import
 * (./store.ts): all or nothing, retried when a concurrent write wins. The delivery queue's jobs
 * (BullMQ) are handled by the caller.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SamlaError, invalidInput } from '../../src/core/errors.ts';
import { PLATFORMS, type NetworkDefinition } from '../../src/core/model.ts';
import { normaliseEmail } from '../../src/core/people.ts';
import { canonicalJson } from './codec.ts';
import { createKeys, type Keys } from './keys.ts';
import { reindexNetwork } from './personIndex.ts';

/** One key's content, read by type. */
export type RawValue =
  | { type: 'string'; value: string }
  | { type: 'hash'; value: Record<string, string> }
  | { type: 'zset'; value: [string, number][] }
  | { type: 'set'; value: string[] }
  | { type: 'list'; value: string[] }
  | { type: 'stream'; value: [string, string[]][] };

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

/** Escapes SCAN MATCH glob characters. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
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

/** Reads keys by type in one pipeline; missing keys are left out. */
export async function readKeys(redis: Redis, keys: string[]): Promise<Map<string, RawValue>> {
  const out = new Map<string, RawValue>();
  if (keys.length === 0) return out;
  const types = (await redis.pipeline(keys.map((k) => ['type', k])).exec()) ?? [];
  const pipe = redis.pipeline();
  const plan: [string, RawValue['type']][] = [];
  keys.forEach((key, i) => {
    const type = types[i]?.[1] as string;
    switch (type) {
      case 'string':
        pipe.get(key);
        break;
      case 'hash':
        pipe.hgetall(key);
        break;
      case 'zset':
        pipe.zrange(key, 0, '-1', 'WITHSCORES');
        break;
      case 'set':
        pipe.smembers(key);
        break;
      case 'list':
        pipe.lrange(key, 0, -1);
        break;
      case 'stream':
        pipe.xrange(key, '-', '+');
        break;
      default:
        return;
    }
    plan.push([key, type as RawValue['type']]);
  });
  const replies = (await pipe.exec()) ?? [];
  plan.forEach(([key, type], i) => {
    const [err, value] = replies[i] ?? [];
    if (err) throw new SamlaError('UNAVAILABLE', `Reading ${key} failed: ${err.message}`, { cause: err });
    if (value === null || value === undefined) return;
    if (type === 'zset') {
      const flat = value as string[];
      const pairs: [string, number][] = [];
      for (let j = 0; j + 1 < flat.length; j += 2) pairs.push([flat[j]!, Number(flat[j + 1])]);
      out.set(key, { type, value: pairs });
    } else {
      out.set(key, { type, value } as RawValue);
    }
  });
  return out;
}

/** Every key matching a pattern (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const k of keys) found.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...found].sort();
}

/** Every key of one network (they all carry its hash tag). */
export function networkKeyPattern(keys: Keys, networkId: string): string {
  return `${globEscape(keys.prefix)}${globEscape(keys.tag(networkId))}:*`;
}

function parse(json: string): Record<string, unknown> | undefined {
  const v = tryJson(json);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** What a network key holds, from its name after `<prefix>{<id>}:`. */
function kindOf(rest: string): string {
  const parts = rest.split(':');
  const head = parts[0] ?? '';
  if (['status', 'reflections', 'steering'].includes(head)) return parts.length >= 3 && parts.at(-1) === 'byid' ? `${head}:byid` : head;
  if (head === 'occ') return parts[1] === 'info' ? 'occ:info' : parts[1] === 'counts' ? 'occ:counts' : 'occ';
  return head;
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
    private readonly redis: Redis,
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
    if (toDelete.length) await this.redis.del(...toDelete);
    report.globalKeysDeleted = toDelete.length;
    // The person index of everyone else in the networks that changed, at their new version (and
    // the generation bumped), so no process keeps the definition that still names them.
    for (const r of report.networks) await reindexNetwork(this.redis, this.keys, r.network);
    return report;
  }

  /** One network, all or nothing (WATCH / read / MULTI, retried on a concurrent write). */
  private async forgetInNetwork(id: string, person: PersonMatcher, replacer: Replacer, now: Date): Promise<ForgetReport['networks'][number] | undefined> {
    const conn = this.redis.duplicate({ commandTimeout: undefined, enableOfflineQueue: true });
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

  /** Global (non-network) keys about the person: identities, Teams references, indexes. */
  private async globalKeys(person: PersonMatcher) {
    const k = this.keys;
    const identities: Record<string, string> = {};
    const toDelete = new Set<string>();
    for (const platform of PLATFORMS) {
      const byEmail = k.identityByEmail(platform, person.email);
      const userId = await this.redis.get(byEmail);
      if (userId) {
        identities[platform] = userId;
        toDelete.add(byEmail);
        const byUser = k.identityByUser(platform, userId);
        if (sameEmail(await this.redis.get(byUser), person.email)) toDelete.add(byUser);
      }
    }
    let teams: PersonExport['teams'];
    const teamsKey = k.teamsPerson(person.email);
    const ref = await this.redis.hgetall(teamsKey);
    if (Object.keys(ref).length) {
      toDelete.add(teamsKey);
      teams = { person: ref };
      if (ref.conversationId) {
        const chatKey = k.teamsConversation(ref.conversationId);
        const chat = (await readKeys(this.redis, [chatKey])).get(chatKey);
        const kind = chat?.type === 'hash' ? chat.value.kind : chat?.type === 'string' ? parse(chat.value)?.kind : undefined;
        if (chat && kind === 'personal') {
          teams.personalChat = chat.value;
          toDelete.add(chatKey);
        }
      }
    }
    toDelete.add(k.personNetworks(person.email));
    toDelete.add(k.personSeats(person.email));
    // Any other key outside the networks (and the delivery queues) that names the person.
    const other: [string, RawValue][] = [];
    const candidates = (await scanKeys(this.redis, `${globEscape(k.prefix)}*`)).filter((key) => !key.includes('{') && !toDelete.has(key));
    const replacer = new Replacer(person, 'x');
    for (let i = 0; i < candidates.length; i += 500) {
      const raw = await readKeys(this.redis, candidates.slice(i, i + 500));
      for (const [key, value] of raw) {
        if (replacer.mentions(key) || replacer.mentions(JSON.stringify(value.value))) {
          other.push([key, value]);
          toDelete.add(key);
        }
      }
    }
    const existing = (await this.redis.pipeline([...toDelete].map((key) => ['exists', key])).exec()) ?? [];
    const present = [...toDelete].filter((_, i) => existing[i]?.[1] === 1);
    return { identities, teams, other, toDelete: present };
  }
}

type Multi = ReturnType<Redis['multi']>;

function writeValue(multi: Multi, key: string, v: RawValue): void {
  switch (v.type) {
    case 'string':
      multi.set(key, v.value);
      break;
    case 'hash':
      if (Object.keys(v.value).length) multi.hset(key, v.value);
      break;
    case 'zset':
      if (v.value.length) multi.zadd(key, ...v.value.flatMap(([m, s]) => [s, m]));
      break;
    case 'set':
      if (v.value.length) multi.sadd(key, ...v.value);
      break;
    case 'list':
      if (v.value.length) multi.rpush(key, ...v.value);
      break;
    case 'stream':
      for (const [id, fields] of v.value) multi.xadd(key, id, ...fields);
      break;
  }
}

/** Collects what a network holds about the person; undefined when nothing. */
function exportNetwork(keys: Keys, id: string, raw: Map<string, RawValue>, person: PersonMatcher, replacer: Replacer): NetworkExport | undefined {
  const head = `${keys.prefix}${keys.tag(id)}:`;
  const e = person.email;
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
  const names = person.names.map((n) => n.toLowerCase());
  const occ = raw.get(keys.occurrences(id));
  const occInfo = raw.get(keys.occurrenceInfo(id));
  for (const [key, v] of raw) {
    const kind = kindOf(key.slice(head.length));
    const values = v.type === 'hash' ? Object.entries(v.value) : [];
    switch (kind) {
      case 'def': {
        const def = v.type === 'string' ? (parse(v.value) as NetworkDefinition | undefined) : undefined;
        if (!def?.organisers) break;
        out.name = def.name;
        const inDef = personInDefinition(def, e);
        if (inDef.organiser) out.inNetworkFile.organiser = inDef.organiser;
        out.inNetworkFile.memberships = inDef.memberships;
        found ||= inDef.present;
        break;
      }
      case 'people':
        for (const [field, json] of values) if (field === e) ((out.person = parse(json)), (found = true));
        break;
      case 'tasks':
      case 'checkins':
      case 'status:byid':
      case 'reflections:byid':
        for (const [, json] of values) {
          const r = parse(json);
          if (!r || !sameEmail(r.email, e)) continue;
          found = true;
          ({ tasks: out.taskAnswers, checkins: out.checkins, 'status:byid': out.statusReports, 'reflections:byid': out.reflectionNotes } as Record<string, unknown[]>)[kind]!.push(r);
        }
        break;
      case 'steering:byid':
        for (const [, json] of values) {
          const r = parse(json);
          if (!r) continue;
          if (sameEmail(r.loggedBy, e)) ((found = true), out.steeringMeetingsLogged.push(r));
          const attendees = Array.isArray(r.attendees) ? (r.attendees as { name?: string }[]) : [];
          if (attendees.some((a) => typeof a.name === 'string' && names.includes(a.name.trim().toLowerCase()))) ((found = true), out.steeringMeetingsAttended.push(r));
        }
        break;
      case 'steering-links':
        for (const [, json] of values) {
          const r = parse(json);
          if (r && sameEmail(r.linkedBy, e)) ((found = true), out.steeringLinks.push(r));
        }
        break;
      case 'unreachable':
        for (const [field, json] of values) if (field === e) ((out.unreachable = parse(json) ?? json), (found = true));
        break;
      case 'occ':
        if (occ?.type !== 'hash') break;
        for (const [occurrence, state] of Object.entries(occ.value)) {
          if (!occurrence.toLowerCase().endsWith(`:${e}`)) continue;
          found = true;
          const info = occInfo?.type === 'hash' ? occInfo.value[occurrence] : undefined;
          out.deliveries.push({ occurrence, state, ...(info ? { info: parse(info) ?? info } : {}) });
        }
        break;
      case 'occ:info':
      case 'occ:counts':
      case 'meta':
      case 'schedule':
      case 'status':
      case 'reflections':
      case 'steering':
        break;
      case 'events':
        if (v.type !== 'stream') break;
        for (const [eventId, fields] of v.value) {
          const f = Object.fromEntries(fields.reduce<[string, string][]>((acc, x, i) => (i % 2 ? acc : [...acc, [x, fields[i + 1] ?? '']]), []));
          if (sameEmail(f.actor, e) || replacer.mentions(fields.join('\n'))) {
            found = true;
            out.events.push({ id: eventId, type: f.type, at: f.at, ...(f.actor ? { actor: f.actor } : {}), data: parse(f.data ?? '') ?? f.data });
          }
        }
        break;
      default:
        // A key Samla added later (or another part's): report anything in it that names them.
        for (const { field, value } of mentionsIn(v, replacer)) {
          found = true;
          out.otherMentions.push({ key, ...(field !== undefined ? { field } : {}), value });
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

const STATUS_TEXTS = ['text', 'done', 'next', 'blockers'];

/** What forgetting the person changes in one network, computed from what was read. Pure. */
export function planForget(keys: Keys, id: string, raw: Map<string, RawValue>, person: PersonMatcher, r: Replacer, now: Date): ForgetPlan {
  const head = `${keys.prefix}${keys.tag(id)}:`;
  const e = person.email;
  const plan: ForgetPlan = { writes: new Map(), removedFromFile: false, deleted: {}, anonymised: {} };
  const count = (bag: Record<string, number>, what: string) => (bag[what] = (bag[what] ?? 0) + 1);
  const names = person.names.map((n) => n.toLowerCase());
  const tokenMail = tokenEmail(r.token);
  const defJson = raw.get(keys.def(id));
  const def = defJson?.type === 'string' ? (parse(defJson.value) as NetworkDefinition | undefined) : undefined;
  const textQuestions = new Set((def?.checkin?.questions ?? []).filter((q) => q.kind !== 'choice').map((q) => q.id));
  /** Reflection note ids deleted, so their zset members go too. */
  const deletedNotes = new Set<string>();

  // First the by-id hashes and records, then the order sets that depend on them.
  const ordered = [...raw.keys()].sort((a, b) => Number(kindOf(a.slice(head.length)) === 'reflections') - Number(kindOf(b.slice(head.length)) === 'reflections'));
  for (const key of ordered) {
    const v = raw.get(key)!;
    const kind = kindOf(key.slice(head.length));
    let next: RawValue | null = v;
    const hash = (f: (field: string, json: string) => [string, string] | null): RawValue => {
      const out: Record<string, string> = {};
      for (const [field, json] of Object.entries((v as { value: Record<string, string> }).value)) {
        const kept = f(field, json);
        if (kept) out[kept[0]] = kept[1];
      }
      return { type: 'hash', value: out };
    };
    if (kind === 'def' && def?.organisers) {
      const inDef = personInDefinition(def, e);
      if (inDef.present) {
        plan.removedFromFile = true;
        next = { type: 'string', value: canonicalJson(inDef.without) };
      }
    } else if (kind === 'meta' && v.type === 'hash' && def?.organisers && personInDefinition(def, e).present) {
      const without = personInDefinition(def, e).without;
      const people = new Set([...without.organisers.map((o) => normaliseEmail(o.email)), ...without.municipalities.flatMap((m) => m.members.map((p) => normaliseEmail(p.email)))]);
      next = {
        type: 'hash',
        value: {
          ...v.value,
          version: String(Number(v.value.version ?? 0) + 1),
          people: String(people.size),
          // The digest is of the definition; it changed.
          digest: createDigest(canonicalJson(without)),
          forgottenAt: now.toISOString(),
        },
      };
    } else if (kind === 'people' && v.type === 'hash') {
      next = hash((field, json) => (field === e ? (count(plan.deleted, 'person'), null) : [field, json]));
    } else if (kind === 'unreachable' && v.type === 'hash') {
      next = hash((field, json) => (field === e ? (count(plan.deleted, 'unreachable'), null) : [field, json]));
    } else if ((kind === 'tasks' || kind === 'checkins' || kind === 'status:byid') && v.type === 'hash') {
      next = hash((field, json) => {
        const rec = parse(json);
        if (!rec || !sameEmail(rec.email, e)) return [field, json];
        const anon: Record<string, unknown> = { ...rec, email: tokenMail };
        if (kind === 'tasks') delete anon.comment;
        if (kind === 'checkins' && rec.answers && typeof rec.answers === 'object') {
          anon.answers = Object.fromEntries(Object.entries(rec.answers as Record<string, string>).filter(([q]) => !textQuestions.has(q)));
        }
        if (kind === 'status:byid') for (const f of STATUS_TEXTS) delete anon[f];
        count(plan.anonymised, kind === 'status:byid' ? 'statusReports' : kind === 'tasks' ? 'taskAnswers' : 'checkins');
        return [r.text(field), canonicalJson(anon)];
      });
    } else if (kind === 'reflections:byid' && v.type === 'hash') {
      next = hash((field, json) => {
        const rec = parse(json);
        if (rec && sameEmail(rec.email, e)) {
          deletedNotes.add(field);
          count(plan.deleted, 'reflectionNotes');
          return null;
        }
        return [field, json];
      });
    } else if (kind === 'reflections' && v.type === 'zset') {
      next = { type: 'zset', value: v.value.filter(([m]) => !deletedNotes.has(m)) };
    } else if (kind === 'steering:byid' && v.type === 'hash') {
      next = hash((field, json) => {
        const rec = parse(json);
        if (!rec) return [field, json];
        let changed = false;
        const anon: Record<string, unknown> = { ...rec };
        if (sameEmail(rec.loggedBy, e)) ((anon.loggedBy = tokenMail), (changed = true));
        if (Array.isArray(rec.attendees)) {
          anon.attendees = (rec.attendees as { name?: string }[]).map((a) => {
            if (typeof a.name === 'string' && names.includes(a.name.trim().toLowerCase())) {
              changed = true;
              return { ...a, name: r.token };
            }
            return a;
          });
        }
        if (changed) count(plan.anonymised, 'steeringMeetings');
        return [field, changed ? canonicalJson(anon) : json];
      });
    } else if (kind === 'steering-links' && v.type === 'hash') {
      next = hash((field, json) => {
        const rec = parse(json);
        if (!rec || !sameEmail(rec.linkedBy, e)) return [field, json];
        count(plan.anonymised, 'steeringLinks');
        return [field, canonicalJson({ ...rec, linkedBy: tokenMail })];
      });
    } else if (kind === 'occ:info' && v.type === 'hash') {
      next = hash((field, json) => {
        if (!r.mentions(field)) return [field, json];
        const info = parse(json);
        if (info) delete info.sentRef; // where the DM landed: their personal conversation
        count(plan.anonymised, 'deliveries');
        return [r.text(field), info ? canonicalJson(info) : json];
      });
    }
    // Everything (also what was handled above): the email and names left anywhere become the token.
    next = next ? anonymiseValue(next, r) : null;
    if (kind === 'events' && next && JSON.stringify(next) !== JSON.stringify(v)) count(plan.anonymised, 'events');
    if (!sameValue(next, v)) plan.writes.set(key, isEmpty(next) ? null : next);
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

function isEmpty(v: RawValue | null): boolean {
  if (!v) return true;
  if (v.type === 'string') return false;
  return Array.isArray(v.value) ? v.value.length === 0 : Object.keys(v.value).length === 0;
}

function sameValue(a: RawValue | null, b: RawValue): boolean {
  return a !== null && JSON.stringify(a.value) === JSON.stringify(b.value);
}

function createDigest(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}
