/**
 * The Redis implementation of the core's NetworkStore. Key layout: see ./keys.ts.
 *
 * - An import is one optimistic transaction: WATCH the network's def, meta and people, read
 *   them, compute the new state (./importPlan.ts), then MULTI/EXEC; retried when a concurrent
 *   writer touched the watched keys. Each import runs on its own duplicated connection, since
 *   WATCH belongs to a connection and any EXEC on it would silently drop the watch.
 * - Every record is written together with its event by one Lua script (./lua/samlaRecord*.lua) that
 *   first checks that the network exists.
 * - Definitions are cached in the process, by network and version (issue 11). `getNetwork`
 *   asks Redis for the version and gets the definition only when it changed (one round trip,
 *   ./readScripts.ts); `personSeats` trusts the version in the person index (./personIndex.ts),
 *   which every import and forget rewrites, and so needs no trip for a cached definition. A
 *   process therefore never uses a definition older than what the index or the meta hash says;
 *   the cache is also dropped whenever `generation()` sees the counter move.
 */
import { createHash } from 'node:crypto';
import { type RedisClient, duplicateClient, sendCommands } from './client.ts';
import { SamlaError, invalidInput, notFound } from '../../src/core/errors.ts';
import type { StoredDigestSnapshot } from '../../src/core/lagging/digest.ts';
import type { NudgeRecord } from '../../src/core/lagging/nudges.ts';
import type {
  CheckinAnswer,
  LeaderChange,
  NetworkDefinition,
  NetworkEvent,
  Person,
  Platform,
  ReflectionNote,
  StatusReport,
  SteeringMeeting,
  TaskCompletion,
  UnreachableEntry,
} from '../../src/core/model.ts';
import { derivePeople, normaliseEmail } from '../../src/core/people.ts';
import type {
  IdentityStore,
  ImportProgress,
  ImportResult,
  NetworkStore,
  NetworkSummary,
  PersonInNetwork,
  SteeringLink,
} from '../../src/core/ports.ts';
import { canonicalJson, decodeDefinition, decodeEvent, decodeObject, decodePerson, decodeSummary, encodeEventFields, eventArgs } from './codec.ts';
import { type ImportPlan, type StoredNetwork, planImport } from './importPlan.ts';
import { type Keys, assertNetworkId, checkinField, createKeys, taskField } from './keys.ts';
import { parseSeat, seatValue, sendIndexCommands } from './personIndex.ts';
import { defineReadScripts } from './readScripts.ts';
import { RECORD_NO_NETWORK, defineScripts } from './scripts.ts';

/** How often an import is retried when a concurrent writer wins, before it gives up. */
const MAX_IMPORT_ATTEMPTS = 20;
/** How many network definitions a process keeps decoded (an LRU; a deployment has a handful). */
const CACHED_DEFINITIONS = 64;

export interface RedisStoreOptions {
  /** Key prefix, default "samla:". Must not contain braces. */
  prefix?: string;
  /** Quit the connection in `close()`. Default false: the caller owns the connection. */
  quitOnClose?: boolean;
}

/** Event types this store appends to a network's log. */
export const EVENT_TYPES = {
  imported: 'network.imported',
  task: 'task.answered',
  checkin: 'checkin.answered',
  status: 'status.reported',
  reflection: 'reflection.written',
  steering: 'steering.logged',
  steeringLinked: 'steering.linked',
  nudge: 'nudge.sent',
} as const;

/** How many digest snapshots a network keeps (one per week). */
export const DIGEST_SNAPSHOTS_KEPT = 8;

/** What one record write needs: where it goes and the event that goes with it. */
interface RecordWrite {
  network: string;
  dataKey: string;
  /** Present for records stored once by id and listed in time order. */
  order?: { key: string; score: number };
  field: string;
  json: string;
  event: Omit<NetworkEvent, 'id'>;
  /** For records without `order`: "merge" keeps stored check-in answers not in `json`. */
  mode?: 'put' | 'merge';
}

/** NetworkStore on Redis (ioredis 6). Do not give it a connection with `keyPrefix` set. */
export class RedisStore implements NetworkStore {
  readonly keys: Keys;
  private readonly redis: RedisClient;
  private readonly quitOnClose: boolean;
  /** Decoded, frozen definitions by network id, least recently used first (see the module comment). */
  private readonly defs = new Map<string, { version: number; def: NetworkDefinition }>();
  /** Definition reads in flight, by network id (see loadDefinition). */
  private readonly loading = new Map<string, Promise<{ version: number; def: NetworkDefinition } | undefined>>();
  /** The generation the definition cache was last checked against. */
  private seenGeneration: string | undefined;

  /**
   * @param redis the connection to use; `close()` leaves it open unless `opts.quitOnClose`.
   * @param opts.prefix key prefix, default "samla:".
   */
  constructor(redis: RedisClient, opts: RedisStoreOptions = {}) {
    this.redis = redis;
    this.keys = createKeys(opts.prefix);
    this.quitOnClose = opts.quitOnClose ?? false;
    defineScripts(redis);
    defineReadScripts(redis);
  }

  /** Quits the connection if the store owns it (`quitOnClose`). */
  async close(): Promise<void> {
    if (this.quitOnClose) await this.redis.quit();
  }

  /* ---------- import ---------- */

  /**
   * Stores a network definition atomically and idempotently (see NetworkStore). Throws
   * CONFLICT when concurrent writers kept winning for MAX_IMPORT_ATTEMPTS rounds.
   */
  async importNetwork(
    def: NetworkDefinition,
    opts: { actor?: string; now?: Date; onProgress?: ImportProgress } = {},
  ): Promise<ImportResult> {
    assertNetworkId(def.id);
    const filePeople = derivePeople(def);
    const conn = duplicateClient(this.redis);
    conn.on('error', () => {}); // failures surface as rejected commands
    try {
      for (let attempt = 1; attempt <= MAX_IMPORT_ATTEMPTS; attempt++) {
        const outcome = await this.tryImport(conn, def, filePeople, opts);
        if (outcome) {
          await this.writeIndexes(def.id, outcome.plan, outcome.people, outcome.result.changed);
          return outcome.result;
        }
        await sleep(5 + Math.random() * 20 * Math.min(attempt, 5));
      }
    } finally {
      conn.disconnect();
    }
    throw new SamlaError(
      'CONFLICT',
      `The network "${def.id}" kept changing while it was being imported (${MAX_IMPORT_ATTEMPTS} attempts). Try the import again.`,
    );
  }

  /** One WATCH / read / MULTI round. Returns undefined when a concurrent writer won. */
  private async tryImport(
    conn: RedisClient,
    def: NetworkDefinition,
    filePeople: Person[],
    opts: { actor?: string; now?: Date; onProgress?: ImportProgress },
  ): Promise<{ plan: ImportPlan; result: ImportResult; people: Record<string, string> } | undefined> {
    const k = this.keys;
    const id = def.id;
    const now = opts.now ?? new Date();
    await conn.watch(k.def(id), k.meta(id), k.people(id));
    const [defJson, people, meta] = await Promise.all([conn.get(k.def(id)), conn.hgetall(k.people(id)), conn.hgetall(k.meta(id))]);
    const stored: StoredNetwork = { defJson, people, meta, where: { def: k.def(id), people: k.people(id) } };
    const plan = planImport(def, filePeople, stored, now, opts.onProgress);
    const result: ImportResult = { network: id, created: plan.created, changed: plan.changed, version: plan.version, ...plan.result };
    if (!plan.changed) {
      await conn.unwatch();
      return { plan, result, people };
    }
    const replies = await this.importTransaction(conn, def, plan, now, opts.actor).exec();
    if (replies === null) return undefined;
    const failed = replies.find(([err]) => err);
    if (failed) throw new SamlaError('INTERNAL', `Redis refused the import of "${id}".`, { cause: failed[0] });
    // The people hash as written: what was there, with this import's writes over it.
    for (const chunk of plan.peopleWrites) for (const [email, json] of chunk) people[email] = json;
    return { plan, result, people };
  }

  /** The MULTI that writes a changed network: def, changed people, meta and the event. */
  private importTransaction(conn: RedisClient, def: NetworkDefinition, plan: ImportPlan, now: Date, actor?: string) {
    const k = this.keys;
    const id = def.id;
    const tx = conn.multi();
    tx.set(k.def(id), plan.defJson);
    for (const chunk of plan.peopleWrites) tx.hset(k.people(id), ...chunk.flat());
    tx.del(k.meta(id));
    tx.hset(k.meta(id), metaFields(def, plan, now));
    const event: Omit<NetworkEvent, 'id'> = {
      type: EVENT_TYPES.imported,
      at: now.toISOString(),
      data: {
        version: plan.version,
        created: plan.created,
        ...plan.counts,
        peopleAdded: plan.result.peopleAdded.length,
        peopleRemoved: plan.result.peopleRemoved.length,
        gatheringsMoved: plan.result.gatheringsMoved,
        ...(plan.leaderChanges.length ? { leaderChanges: plan.leaderChanges } : {}),
      },
    };
    if (actor) event.actor = actor;
    tx.xadd(k.events(id), '*', ...encodeEventFields(event));
    if (plan.leaderChanges.length) {
      const at = now.toISOString();
      tx.rpush(k.leaderChanges(id), ...plan.leaderChanges.map((c) => canonicalJson({ ...c, at })));
    }
    return tx;
  }

  /**
   * Updates the global indexes after a successful import: the network index, each person's
   * networks and the person index (./personIndex.ts: their record at the new version), then bumps
   * the generation. They are outside the network's slot and not part of its transaction (see
   * ./keys.ts), so they are single-key commands, each safe to repeat, sent after EXEC. An
   * import that stopped half-way through them (a crash, a Cluster node down, a MOVED) left some
   * written and some not; so every import writes them all again, an unchanged one too ("already
   * up to date" still repairs them). The generation is bumped when the network changed or when
   * the rewrite found something missing (a reply that added a member or a field, or removed one).
   */
  private async writeIndexes(id: string, plan: ImportPlan, people: Record<string, string>, changed: boolean): Promise<void> {
    const k = this.keys;
    const commands: (string | number)[][] = [
      ...plan.emailsActive.flatMap((email) => [
        ['sadd', k.personNetworks(email), id],
        ['hset', k.personSeats(email), id, seatValue(plan.version, people[email]!)],
      ]),
      ...plan.emailsRemoved.flatMap((email) => [
        ['srem', k.personNetworks(email), id],
        ['hdel', k.personSeats(email), id],
      ]),
      ['sadd', k.networks(), id],
    ];
    const replies = await sendIndexCommands(this.redis, commands, `"${id}"`);
    const repaired = replies.some((r) => typeof r === 'number' && r > 0);
    if (changed || repaired) await sendIndexCommands(this.redis, [['incr', k.generation()]], `"${id}"`);
  }

  /* ---------- reading networks and people ---------- */

  /** Every imported network, by id; ids in the index whose definition is gone are skipped. */
  async listNetworks(): Promise<NetworkSummary[]> {
    const ids = (await this.redis.smembers(this.keys.networks())).sort();
    if (ids.length === 0) return [];
    // Each network in its own slot: one pipeline on a single Redis, key by key on a Cluster.
    const replies = await sendCommands(
      this.redis,
      ids.flatMap((id) => [
        ['exists', this.keys.def(id)],
        ['hgetall', this.keys.meta(id)],
      ]),
    );
    const out: NetworkSummary[] = [];
    ids.forEach((id, i) => {
      const [existsErr, exists] = replies[2 * i] ?? [];
      const [metaErr, meta] = replies[2 * i + 1] ?? [];
      if (existsErr || metaErr) throw new SamlaError('INTERNAL', `Reading network "${id}" failed.`, { cause: existsErr ?? metaErr });
      if (exists !== 1) return;
      const fields = Array.isArray(meta) ? Object.fromEntries(chunkPairs(meta as string[])) : (meta as Record<string, string>);
      const summary = decodeSummary(id, fields, this.keys.meta(id));
      if (summary) out.push(summary);
    });
    return out;
  }

  /**
   * The stored definition, or undefined when there is no such network. One round trip: the
   * definition travels (and is decoded) only when its version is not the cached one. The
   * answer is shared and frozen: never modify it.
   */
  async getNetwork(id: string): Promise<NetworkDefinition | undefined> {
    const cached = this.defs.get(id);
    const [version, json] = await this.redis.samlaDefIfChanged(2, this.keys.meta(id), this.keys.def(id), cached ? String(cached.version) : '');
    if (cached && version === String(cached.version) && json === undefined) return this.touch(id, cached).def;
    if (json === null || json === undefined) {
      this.defs.delete(id);
      return undefined;
    }
    return this.cacheDefinition(id, version ?? null, json);
  }

  /** See NetworkStore.generation; a change also drops this store's cached definitions. */
  async generation(): Promise<string> {
    const g = (await this.redis.get(this.keys.generation())) ?? '0';
    if (g !== this.seenGeneration) {
      this.defs.clear();
      this.seenGeneration = g;
    }
    return g;
  }

  /**
   * See NetworkStore.personSeats. One HGETALL of the person index; a network whose definition
   * at the entry's version is not cached is read in the same further trip as the others (its
   * definition, version and the person's record, in one MULTI each), and the record read there
   * wins over the entry when the versions differ. A person with no index entry at all (data
   * imported before the index existed) is looked up the old way and indexed.
   */
  async personSeats(email: string): Promise<PersonInNetwork[]> {
    const k = this.keys;
    const field = normaliseEmail(email);
    let entries = await this.redis.hgetall(k.personSeats(field));
    if (Object.keys(entries).length === 0) entries = await this.indexLegacy(field);
    const out: PersonInNetwork[] = [];
    await Promise.all(
      Object.keys(entries).map(async (id) => {
        const seat = parseSeat(entries[id]!);
        const cached = this.defs.get(id);
        if (seat && cached && cached.version >= seat.v) return void out.push({ network: this.touch(id, cached).def, person: seat.p as Person });
        // Not cached at the entry's version: one read of the definition, shared by every request
        // that needs it meanwhile; the person's own record only when the versions disagree.
        const loaded = await this.loadDefinition(id);
        if (!loaded) return;
        if (seat && loaded.version === seat.v) return void out.push({ network: loaded.def, person: seat.p as Person });
        const json = await this.redis.hget(k.people(id), field);
        if (json !== null) out.push({ network: loaded.def, person: decodePerson(json, `${k.people(id)} ${field}`) });
      }),
    );
    out.sort((a, b) => (a.network.id < b.network.id ? -1 : 1));
    return out.filter(({ person }) => !person.removedAt && (person.organiser || person.memberships.length > 0));
  }

  /** The person index entries of someone imported before it existed, written from the networks. */
  private async indexLegacy(email: string): Promise<Record<string, string>> {
    const k = this.keys;
    const ids = await this.redis.smembers(k.personNetworks(email));
    if (ids.length === 0) return {};
    const read = await Promise.all(ids.map((id) => this.redis.multi().hget(k.meta(id), 'version').hget(k.people(id), email).exec()));
    const entries: Record<string, string> = {};
    ids.forEach((id, i) => {
      const [version, json] = (read[i] ?? []).map(([, v]) => v) as (string | null)[];
      if (typeof json === 'string' && typeof version === 'string') entries[id] = seatValue(Number(version), json);
    });
    if (Object.keys(entries).length) await this.redis.hset(k.personSeats(email), entries);
    return entries;
  }

  /** The current definition and version (single-flight: concurrent callers share one read). */
  private loadDefinition(id: string): Promise<{ version: number; def: NetworkDefinition } | undefined> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = (async () => {
        const def = await this.getNetwork(id);
        const cached = this.defs.get(id);
        return def && cached?.def === def ? cached : def ? { version: NaN, def } : undefined;
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** Decodes, freezes and caches a definition read at `version` (not cached without one). */
  private cacheDefinition(id: string, version: string | null, json: string): NetworkDefinition {
    const def = deepFreeze(decodeDefinition(json, this.keys.def(id)));
    const v = version === null ? NaN : Number(version);
    if (Number.isFinite(v)) {
      this.defs.delete(id);
      this.defs.set(id, { version: v, def });
      if (this.defs.size > CACHED_DEFINITIONS) this.defs.delete(this.defs.keys().next().value!);
    }
    return def;
  }

  private touch<T>(id: string, entry: T): T {
    this.defs.delete(id);
    this.defs.set(id, entry as { version: number; def: NetworkDefinition });
    return entry;
  }

  /** Name, counts, version and import time, or undefined when there is no such network. */
  async getSummary(id: string): Promise<NetworkSummary | undefined> {
    return decodeSummary(id, await this.redis.hgetall(this.keys.meta(id)), this.keys.meta(id));
  }

  /** Everyone ever in the network (removed people have `removedAt`), sorted by email. */
  async getPeople(networkId: string): Promise<Person[]> {
    const key = this.keys.people(networkId);
    const all = await this.redis.hgetall(key);
    return Object.entries(all)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([email, json]) => decodePerson(json, `${key} ${email}`));
  }

  /** One person by email (case-insensitive), or undefined. */
  async getPerson(networkId: string, email: string): Promise<Person | undefined> {
    const key = this.keys.people(networkId);
    const field = normaliseEmail(email);
    const json = await this.redis.hget(key, field);
    return json === null ? undefined : decodePerson(json, `${key} ${field}`);
  }

  /* ---------- records ---------- */

  /** Stores (or overwrites: answers are editable) one person's answer to a task. */
  async recordTaskCompletion(c: TaskCompletion): Promise<void> {
    const record: TaskCompletion = { ...c, email: normaliseEmail(c.email) };
    await this.writeRecord({
      network: c.network,
      dataKey: this.keys.tasks(c.network, c.gathering),
      field: taskField(c.task, c.municipality, c.email),
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.task, record.at, record.email, {
        gathering: c.gathering,
        task: c.task,
        municipality: c.municipality,
        answer: c.answer,
      }),
    });
  }

  /** Task answers of one gathering, sorted by task, municipality and email. */
  async listTaskCompletions(networkId: string, gatheringId: string): Promise<TaskCompletion[]> {
    return this.readHash<TaskCompletion>(this.keys.tasks(networkId, gatheringId), TASK_FIELDS, 'task completion');
  }

  /** Stores (or overwrites) one person's check-in answers for a gathering. */
  async recordCheckin(a: CheckinAnswer, opts: { merge?: boolean } = {}): Promise<void> {
    const record: CheckinAnswer = { ...a, email: normaliseEmail(a.email) };
    await this.writeRecord({
      ...(opts.merge ? { mode: 'merge' as const } : {}),
      network: a.network,
      dataKey: this.keys.checkins(a.network, a.gathering),
      field: checkinField(a.municipality, a.email),
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.checkin, record.at, record.email, {
        gathering: a.gathering,
        municipality: a.municipality,
      }),
    });
  }

  /** Check-in answers of one gathering, sorted by municipality and email. */
  async listCheckins(networkId: string, gatheringId: string): Promise<CheckinAnswer[]> {
    return this.readHash<CheckinAnswer>(this.keys.checkins(networkId, gatheringId), CHECKIN_FIELDS, 'check-in');
  }

  /** One person's check-in answers (one HGET, not the whole gathering's). */
  async getCheckin(networkId: string, gatheringId: string, municipality: string, email: string): Promise<CheckinAnswer | undefined> {
    const key = this.keys.checkins(networkId, gatheringId);
    const field = checkinField(municipality, email);
    const json = await this.redis.hget(key, field);
    return json === null ? undefined : decodeObject<CheckinAnswer>(json, CHECKIN_FIELDS, 'check-in', `${key} ${field}`);
  }

  /** Appends a status report; a second report with the same id is ignored. */
  async recordStatus(s: StatusReport): Promise<void> {
    const record: StatusReport = { ...s, email: normaliseEmail(s.email) };
    await this.writeRecord({
      network: s.network,
      dataKey: this.keys.statusById(s.network, s.municipality),
      order: { key: this.keys.status(s.network, s.municipality), score: timeScore(s.at) },
      field: s.id,
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.status, record.at, record.email, {
        id: s.id,
        municipality: s.municipality,
        ...(s.overall ? { overall: s.overall } : {}),
      }),
    });
  }

  /** Status reports of a municipality, newest first; at most `limit` when given. */
  async listStatus(networkId: string, municipality: string, limit?: number): Promise<StatusReport[]> {
    const k = this.keys;
    if (limit !== undefined && limit <= 0) return [];
    if (limit !== undefined) return this.newest<StatusReport>(k.status(networkId, municipality), k.statusById(networkId, municipality), limit, STATUS_FIELDS, 'status report');
    const ids = await this.redis.zrevrange(k.status(networkId, municipality), 0, -1);
    return this.readByIds<StatusReport>(k.statusById(networkId, municipality), ids, STATUS_FIELDS, 'status report');
  }

  /** Appends a reflection note; a second note with the same id is ignored. */
  async recordReflection(n: ReflectionNote): Promise<void> {
    const record: ReflectionNote = { ...n, email: normaliseEmail(n.email) };
    await this.writeRecord({
      network: n.network,
      dataKey: this.keys.reflectionsById(n.network, n.municipality),
      order: { key: this.keys.reflections(n.network, n.municipality), score: timeScore(n.at) },
      field: n.id,
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.reflection, record.at, record.email, {
        id: n.id,
        municipality: n.municipality,
        ...(n.gathering ? { gathering: n.gathering } : {}),
        share: n.share,
      }),
    });
  }

  /** Reflection notes of a municipality, oldest first (by `at`); only the newest `opts.newest` when given. */
  async listReflections(networkId: string, municipality: string, opts: { newest?: number } = {}): Promise<ReflectionNote[]> {
    const k = this.keys;
    const ids = await this.redis.zrange(k.reflections(networkId, municipality), opts.newest === undefined ? 0 : -Math.max(1, opts.newest), '-1');
    return this.readByIds<ReflectionNote>(k.reflectionsById(networkId, municipality), ids, REFLECTION_FIELDS, 'reflection note');
  }

  /** Logs a steering-group meeting; a second log with the same id is ignored. */
  async recordSteeringMeeting(m: SteeringMeeting): Promise<void> {
    const record: SteeringMeeting = { ...m, loggedBy: normaliseEmail(m.loggedBy) };
    await this.writeRecord({
      network: m.network,
      dataKey: this.keys.steeringById(m.network, m.municipality),
      order: { key: this.keys.steering(m.network, m.municipality), score: timeScore(m.date, m.at) },
      field: m.id,
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.steering, record.at, record.loggedBy, {
        id: m.id,
        municipality: m.municipality,
        date: m.date,
        attendees: m.attendees.length,
      }),
    });
  }

  /** Steering meetings of a municipality, oldest first (by meeting `date`); only the newest `opts.newest` when given. */
  async listSteeringMeetings(networkId: string, municipality: string, opts: { newest?: number } = {}): Promise<SteeringMeeting[]> {
    const k = this.keys;
    const ids = await this.redis.zrange(k.steering(networkId, municipality), opts.newest === undefined ? 0 : -Math.max(1, opts.newest), '-1');
    return this.readByIds<SteeringMeeting>(k.steeringById(networkId, municipality), ids, STEERING_FIELDS, 'steering meeting');
  }

  /* ---------- people across networks, steering links ---------- */

  /** Networks in which the email is a current member or organiser (the person index; see personSeats). */
  async networksOf(email: string): Promise<string[]> {
    return (await this.personSeats(email)).map((s) => s.network.id);
  }

  /** Links a steering group to a channel, with an event; NOT_FOUND when the network does not exist. */
  async linkSteeringChannel(link: SteeringLink): Promise<void> {
    const record: SteeringLink = { ...link, linkedBy: normaliseEmail(link.linkedBy) };
    await this.writeRecord({
      network: link.network,
      dataKey: this.keys.steeringLinks(link.network),
      field: link.municipality,
      json: canonicalJson(record),
      event: recordEvent(EVENT_TYPES.steeringLinked, record.at, record.linkedBy, {
        municipality: link.municipality,
        platform: link.platform,
        channel: link.channel,
      }),
    });
  }

  /** The steering channels linked from Slack or Teams, by municipality. */
  async steeringLinks(networkId: string): Promise<Record<string, SteeringLink>> {
    const key = this.keys.steeringLinks(networkId);
    const all = await this.redis.hgetall(key);
    return Object.fromEntries(
      Object.entries(all).map(([m, json]) => [m, decodeObject<SteeringLink>(json, LINK_FIELDS, 'steering link', `${key} ${m}`)]),
    );
  }

  /* ---------- events ---------- */

  /**
   * The network's event log, oldest first: entries after the stream id `after` (exclusive),
   * at most `count` of them.
   */
  async events(networkId: string, opts: { after?: string; count?: number } = {}): Promise<NetworkEvent[]> {
    const key = this.keys.events(networkId);
    if (opts.after !== undefined && !/^\d+(-\d+)?$/.test(opts.after)) {
      throw invalidInput(`"${opts.after}" is not an event id; pass the id of an event read before, e.g. 1767225600000-0.`);
    }
    const start = opts.after ? `(${opts.after}` : '-';
    const entries =
      opts.count === undefined
        ? await this.redis.xrange(key, start, '+')
        : await this.redis.xrange(key, start, '+', 'COUNT', opts.count);
    return entries.map(([id, fields]) => decodeEvent(id, fields, key));
  }

  /* ---------- lagging: leader changes, nudges, digest snapshots, unreachable people ---------- */

  /** Project-leader changes found by imports, oldest first. */
  async listLeaderChanges(networkId: string): Promise<LeaderChange[]> {
    const key = this.keys.leaderChanges(networkId);
    const all = await this.redis.lrange(key, 0, -1);
    return all.map((json, i) => decodeObject<LeaderChange>(json, ['municipality', 'at'], 'project-leader change', `${key} #${i}`));
  }

  /** Records a nudge that was sent (once per id), with a `nudge.sent` event; NOT_FOUND without the network. */
  async recordNudge(networkId: string, nudge: NudgeRecord): Promise<void> {
    const id = nudge.id ?? `${nudge.municipality}:${nudge.level}:${nudge.at}`;
    const record: NudgeRecord = { ...nudge, id };
    await this.writeRecord({
      network: networkId,
      dataKey: this.keys.nudgesById(networkId, nudge.municipality),
      order: { key: this.keys.nudges(networkId, nudge.municipality), score: timeScore(nudge.at) },
      field: id,
      json: canonicalJson(record),
      event: {
        type: EVENT_TYPES.nudge,
        at: nudge.at,
        actor: 'scheduler',
        data: { id, municipality: nudge.municipality, level: nudge.level, signals: nudge.signals, ...(nudge.channel ? { channel: nudge.channel } : {}) },
      },
    });
  }

  /** A municipality's nudges, newest first. */
  async listNudges(networkId: string, municipality: string, limit?: number): Promise<NudgeRecord[]> {
    const k = this.keys;
    if (limit !== undefined && limit <= 0) return [];
    const ids = await this.redis.zrevrange(k.nudges(networkId, municipality), 0, limit === undefined ? -1 : limit - 1);
    return this.readByIds<NudgeRecord>(k.nudgesById(networkId, municipality), ids, NUDGE_FIELDS, 'nudge');
  }

  /** Keeps a digest's snapshot: the first per key wins; the newest DIGEST_SNAPSHOTS_KEPT are kept. */
  async saveDigestSnapshot(networkId: string, s: StoredDigestSnapshot): Promise<void> {
    const k = this.keys;
    await this.redis.samlaSnapshot(k.digestSnapshots(networkId), k.digestSnapshotOrder(networkId), s.key, timeScore(s.at), canonicalJson(s), DIGEST_SNAPSHOTS_KEPT);
  }

  /** The newest snapshot, or the newest planned before `before`. */
  async lastDigestSnapshot(networkId: string, before?: Date): Promise<StoredDigestSnapshot | undefined> {
    const k = this.keys;
    const max = before ? `(${before.getTime()}` : '+inf';
    const [key] = await this.redis.zrevrangebyscore(k.digestSnapshotOrder(networkId), max, '-inf', 'LIMIT', 0, 1);
    if (key === undefined) return undefined;
    const json = await this.redis.hget(k.digestSnapshots(networkId), key);
    return json === null ? undefined : decodeObject<StoredDigestSnapshot>(json, ['key', 'at'], 'digest snapshot', `${k.digestSnapshots(networkId)} ${key}`);
  }

  /** People of a network Samla cannot reach, sorted by email; damaged entries are skipped. */
  async listUnreachable(networkId: string): Promise<UnreachableEntry[]> {
    const all = await this.redis.hgetall(this.keys.unreachable(networkId));
    const out: UnreachableEntry[] = [];
    for (const email of Object.keys(all).sort()) {
      try {
        const e = JSON.parse(all[email]!) as Partial<UnreachableEntry>;
        if (typeof e.email === 'string' && typeof e.reason === 'string' && typeof e.at === 'string' && typeof e.platform === 'string') out.push(e as UnreachableEntry);
      } catch {
        // a damaged entry is skipped; the next failure rewrites it
      }
    }
    return out;
  }

  /** Records (or refreshes) that a person cannot be reached, in each of the networks. */
  async markUnreachable(networkIds: readonly string[], entry: UnreachableEntry): Promise<void> {
    const email = normaliseEmail(entry.email);
    const json = canonicalJson({ ...entry, email });
    await Promise.all(networkIds.map((n) => this.redis.hset(this.keys.unreachable(n), email, json)));
  }

  /** Forgets that a person was unreachable, in each of the networks. */
  async clearUnreachable(networkIds: readonly string[], email: string): Promise<void> {
    const field = normaliseEmail(email);
    await Promise.all(networkIds.map((n) => this.redis.hdel(this.keys.unreachable(n), field)));
  }

  /* ---------- helpers ---------- */

  /** Runs the record script; NOT_FOUND when the network does not exist. */
  private async writeRecord(w: RecordWrite): Promise<void> {
    const k = this.keys;
    const event = eventArgs(w.event);
    const outcome = w.order
      ? await this.redis.samlaRecordAppend(k.def(w.network), k.events(w.network), w.dataKey, w.order.key, w.field, w.json, w.order.score, ...event)
      : await this.redis.samlaRecordPut(k.def(w.network), k.events(w.network), w.dataKey, w.mode ?? 'put', w.field, w.json, ...event);
    // RECORD_WRITTEN, or RECORD_DUPLICATE (same id again: stored once already, nothing to do).
    if (outcome === RECORD_NO_NETWORK) {
      throw notFound(`There is no network "${w.network}". Import its network file first (samla network import).`);
    }
  }

  /** All values of a hash, decoded and sorted by field. */
  private async readHash<T>(key: string, required: readonly string[], what: string): Promise<T[]> {
    const all = await this.redis.hgetall(key);
    return Object.keys(all)
      .sort()
      .map((field) => decodeObject<T>(all[field] as string, required, what, `${key} ${field}`));
  }

  /** The newest `n` records of an order zset and its by-id hash, newest first, in one trip. */
  private async newest<T>(orderKey: string, byIdKey: string, n: number, required: readonly string[], what: string): Promise<T[]> {
    const flat = await this.redis.samlaNewest(2, orderKey, byIdKey, n);
    const out: T[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const json = flat[i + 1];
      if (typeof json === 'string') out.push(decodeObject<T>(json, required, what, `${byIdKey} ${flat[i]}`));
    }
    return out;
  }

  /** The records with these ids from a by-id hash, in the order given (missing ones skipped). */
  private async readByIds<T>(key: string, ids: string[], required: readonly string[], what: string): Promise<T[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(key, ...ids);
    const out: T[] = [];
    values.forEach((json, i) => {
      if (json !== null) out.push(decodeObject<T>(json, required, what, `${key} ${ids[i]}`));
    });
    return out;
  }
}

/** Platform identities cached in Redis (see IdentityStore). Global keys, not per network. */
export class RedisIdentityStore implements IdentityStore {
  private readonly keys: Keys;
  constructor(
    private readonly redis: RedisClient,
    opts: { prefix?: string } = {},
  ) {
    this.keys = createKeys(opts.prefix);
  }

  async emailOf(platform: Platform, userId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.identityByUser(platform, userId))) ?? undefined;
  }

  async userIdOf(platform: Platform, email: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.identityByEmail(platform, email))) ?? undefined;
  }

  /**
   * Both directions. They are two keys in two Cluster slots, so two SETs, not one MULTI; each is
   * safe to repeat, and a stop between them leaves a cache entry that the next `remember` (the
   * next message from that person) writes again.
   */
  async remember(platform: Platform, userId: string, email: string): Promise<void> {
    const e = normaliseEmail(email);
    const replies = await sendCommands(this.redis, [
      ['set', this.keys.identityByUser(platform, userId), e],
      ['set', this.keys.identityByEmail(platform, e), userId],
    ]);
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0]!;
  }
}

const LINK_FIELDS = ['network', 'municipality', 'platform', 'channel', 'at'] as const;
const TASK_FIELDS = ['network', 'gathering', 'task', 'municipality', 'email', 'answer', 'at'] as const;
const CHECKIN_FIELDS = ['network', 'gathering', 'municipality', 'email', 'at'] as const;
const STATUS_FIELDS = ['id', 'network', 'municipality', 'email', 'at'] as const;
const REFLECTION_FIELDS = ['id', 'network', 'municipality', 'email', 'at'] as const;
const STEERING_FIELDS = ['id', 'network', 'municipality', 'date', 'at'] as const;
const NUDGE_FIELDS = ['id', 'municipality', 'level', 'at'] as const;

function recordEvent(type: string, at: string, actor: string, data: Record<string, unknown>): Omit<NetworkEvent, 'id'> {
  return { type, at, actor, data };
}

/** The `meta` hash fields after an import. */
function metaFields(def: NetworkDefinition, plan: ImportPlan, now: Date): Record<string, string> {
  const fields: Record<string, string> = {
    name: def.name,
    version: String(plan.version),
    importedAt: now.toISOString(),
    digest: createHash('sha256').update(plan.defJson).digest('hex'),
    municipalities: String(plan.counts.municipalities),
    people: String(plan.counts.people),
    gatherings: String(plan.counts.gatherings),
    peopleRemoved: String(plan.emailsRemoved.length),
  };
  if (def.programme) fields.programme = def.programme;
  return fields;
}

/** Sort score (ms since the epoch) of the first parsable time; 0 when none parses. */
function timeScore(...times: string[]): number {
  for (const t of times) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  return 0;
}

/** Freezes an object graph, so a shared cached definition cannot be changed by accident. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** [field, value] pairs of a flat HGETALL reply. */
function chunkPairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
