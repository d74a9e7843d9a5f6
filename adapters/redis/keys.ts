/**
 * Every Redis key name Samla uses is built here, and nowhere else.
 *
 * Layout (prefix "samla:" by default; `<id>` is the network id):
 *
 * | key                                   | type   | holds                                                    |
 * |---------------------------------------|--------|----------------------------------------------------------|
 * | `samla:{<id>}:def`                    | string | the network definition, canonical JSON                   |
 * | `samla:{<id>}:meta`                   | hash   | name, programme, version, importedAt, digest, counts     |
 * | `samla:{<id>}:people`                 | hash   | lower-case email → Person JSON (removed people stay)     |
 * | `samla:{<id>}:events`                 | stream | the append-only event log (fields type, at, actor, data) |
 * | `samla:{<id>}:tasks:<gathering>`      | hash   | `<task>\|<municipality>\|<email>` → TaskCompletion JSON   |
 * | `samla:{<id>}:checkins:<gathering>`   | hash   | `<municipality>\|<email>` → CheckinAnswer JSON            |
 * | `samla:{<id>}:status:<m>`             | zset   | status report id, scored by `at` (ms)                    |
 * | `samla:{<id>}:status:<m>:byid`        | hash   | status report id → StatusReport JSON                     |
 * | `samla:{<id>}:reflections:<m>[:byid]` | zset + hash | the same for reflection notes (scored by `at`)      |
 * | `samla:{<id>}:steering:<m>[:byid]`    | zset + hash | the same for steering meetings (scored by `date`)   |
 * | `samla:{<id>}:steering-links`         | hash   | municipality → SteeringLink JSON (linked from a channel) |
 * | `samla:{<id>}:unreachable`            | hash   | lower-case email → UnreachableEntry JSON (who Samla cannot reach) |
 * | `samla:{<id>}:leader-changes`         | list   | LeaderChange JSON, appended by imports, oldest first     |
 * | `samla:{<id>}:nudges:<m>[:byid]`      | zset + hash | steering-group nudges sent (scored by `at`), by id  |
 * | `samla:{<id>}:digest:snapshots`       | hash   | digest key (week) → StoredDigestSnapshot JSON           |
 * | `samla:{<id>}:digest:order`           | zset   | digest key, scored by its planned time (ms)              |
 * | `samla:networks`                      | set    | index: ids of all imported networks                      |
 * | `samla:person:<email>:networks`       | set    | index: ids of the networks a person belongs to           |
 * | `samla:person:<email>:seats`          | hash   | index: network id → `{"v":<network version>,"p":<Person JSON>}` (the person index) |
 * | `samla:networks:generation`           | string | counter bumped after every import, forget or removal of a network (cache check) |
 * | `samla:demo:clock`                    | string | the local demo's simulated time (ISO), while it is stopped |
 * | `samla:identity:<platform>:user:<id>` | string | a platform user id → email (cache, global)               |
 * | `samla:identity:<platform>:email:<e>` | string | email → platform user id (cache, global)                 |
 * | `samla:inbound:<platform>:<id>`       | string | an inbound delivery already handled (expires; global)    |
 * | `samla:{<id>}:schedule`               | hash   | scheduler state: watermark (ms), version swept, last tick |
 * | `samla:{<id>}:occ`                    | hash   | occurrence id → state (queued, sending, sent, skipped, failed) |
 * | `samla:{<id>}:occ:info`               | hash   | occurrence id → JSON: reason, SentRef, last error, times  |
 * | `samla:{<id>}:occ:counts`             | hash   | `<item id>\|<state>` (and `\|skipped:<reason>`) → count   |
 * | `samla:pace:<platform>:<address>`     | string | per-conversation pacing lock (expires; global)           |
 * | `samla:{bull}:deliveries-<platform>:…`| BullMQ | the delivery queues (BullMQ prefix `samla:{bull}`)        |
 *
 * All keys of one network carry the Cluster hash tag `{<id>}`, so they live in one slot and a
 * MULTI or Lua script may touch any of them together.
 *
 * The index keys (`networks`, `person:<e>:networks`, `person:<e>:seats`) and the generation
 * counter live outside any network's slot. They are written *after* the atomic
 * network write has succeeded, so a crash in between can leave them behind or stale: they are
 * only an index. Readers must check the network itself (`listNetworks` skips ids whose `def`
 * key is missing; a person's networks must be confirmed against that network's `people`).
 *
 * A new builder must also be declared in ./recordKinds.ts, which says what `samla person export`
 * and `samla person forget` do with its records.
 */
import { invalidInput } from '../../src/core/errors.ts';
import { normaliseEmail } from '../../src/core/people.ts';

/** The prefix used when none is configured. */
export const DEFAULT_PREFIX = 'samla:';

/** Key builders for one prefix. */
export interface Keys {
  readonly prefix: string;
  /** The `{<id>}` hash tag shared by every key of the network. */
  tag(networkId: string): string;
  def(networkId: string): string;
  meta(networkId: string): string;
  people(networkId: string): string;
  events(networkId: string): string;
  tasks(networkId: string, gatheringId: string): string;
  checkins(networkId: string, gatheringId: string): string;
  status(networkId: string, municipality: string): string;
  statusById(networkId: string, municipality: string): string;
  reflections(networkId: string, municipality: string): string;
  reflectionsById(networkId: string, municipality: string): string;
  steering(networkId: string, municipality: string): string;
  steeringById(networkId: string, municipality: string): string;
  steeringLinks(networkId: string): string;
  identityByUser(platform: string, userId: string): string;
  identityByEmail(platform: string, email: string): string;
  /** Marks one inbound platform delivery (a Slack event_id or trigger_id) as handled. */
  inbound(platform: string, deliveryId: string): string;
  /** People of the network Samla cannot reach on a platform, with the reason (a hash by email). */
  unreachable(networkId: string): string;
  /** Project-leader changes found by imports (a list of JSON, oldest first). */
  leaderChanges(networkId: string): string;
  /** Steering-group nudges of a municipality: ids by time (zset). */
  nudges(networkId: string, municipality: string): string;
  /** Steering-group nudges of a municipality: id → NudgeRecord JSON (hash). */
  nudgesById(networkId: string, municipality: string): string;
  /** Digest snapshots: digest key → StoredDigestSnapshot JSON (hash). */
  digestSnapshots(networkId: string): string;
  /** Digest snapshot keys by planned time (zset). */
  digestSnapshotOrder(networkId: string): string;
  /** A person's Teams conversation reference, by email (global, like identities). */
  teamsPerson(email: string): string;
  /** A person's Teams reference within one tenant ("-" when the activity named none), by email (global). */
  teamsPersonIn(tenant: string, email: string): string;
  /** The tenants a person has a Teams reference in (set; global). */
  teamsPersonTenants(email: string): string;
  /** When Samla was installed in and last heard from a Teams tenant (hash; global). */
  teamsTenant(tenant: string): string;
  /** A Teams conversation's reference (personal chat, channel or team), by conversation id (global). */
  teamsConversation(conversationId: string): string;
  /** The scheduler's state of a network (hash: watermark, version, lastTick). */
  schedule(networkId: string): string;
  /** Occurrence id → delivery state (hash). */
  occurrences(networkId: string): string;
  /** Occurrence id → details JSON: skip reason, SentRef, last error (hash). */
  occurrenceInfo(networkId: string): string;
  /** `<agenda item id>|<state>` → number of occurrences in that state (hash). */
  occurrenceCounts(networkId: string): string;
  /** Pacing lock of one conversation on a platform (global; `address` is "person:<email>" or "channel:<id>"). */
  pace(platform: string, address: string): string;
  /** The BullMQ `prefix` option: the delivery queues' keys live under it, in one Cluster slot. */
  bullPrefix(): string;
  /** Global index of network ids (outside every network's slot). */
  networks(): string;
  /** Global index of the network ids one person belongs to (outside every network's slot). */
  personNetworks(email: string): string;
  /**
   * The person index (global, outside every network's slot): network id → the person's record
   * in that network and the network's version it was written at (hash). See ./personIndex.ts.
   */
  personSeats(email: string): string;
  /** Bumped after every import, forget or network removal: processes compare it to drop caches (global). */
  generation(): string;
  /** The local demo's simulated time, kept while Samla is stopped (global). */
  demoClock(): string;
  /** A dashboard session signed out before it expired (global; expires with the session). */
  dashboardRevoked(sessionId: string): string;
}

/** Hash field of a task completion inside `tasks:<gathering>`. */
export function taskField(task: string, municipality: string, email: string): string {
  return `${task}|${municipality}|${normaliseEmail(email)}`;
}

/** Hash field of a check-in answer inside `checkins:<gathering>`. */
export function checkinField(municipality: string, email: string): string {
  return `${municipality}|${normaliseEmail(email)}`;
}

/**
 * Throws INVALID_INPUT unless the network id can be used inside a hash tag: non-empty, no
 * braces (a `}` would end the tag early and split the network over slots), no whitespace.
 */
export function assertNetworkId(networkId: string): void {
  if (!/^[^{}\s]+$/.test(networkId)) {
    throw invalidInput(`The network id "${networkId}" cannot be used: use letters, digits and "-", e.g. agder-helse-2027.`);
  }
}

/** Throws INVALID_INPUT for an empty key part or one with whitespace or braces. */
function assertPart(what: string, value: string): void {
  if (!/^[^{}\s]+$/.test(value)) {
    throw invalidInput(`The ${what} "${value}" cannot be used in a key: it must be non-empty, without spaces or braces.`);
  }
}

/**
 * Builds the key functions for a prefix (default "samla:"). The prefix must not contain braces,
 * or the hash tag would be taken from the prefix instead of the network id.
 */
export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  if (/[{}]/.test(prefix)) throw invalidInput(`The Redis key prefix "${prefix}" must not contain braces.`);

  const tag = (id: string): string => {
    assertNetworkId(id);
    return `{${id}}`;
  };
  const net = (id: string, ...parts: string[]): string => [`${prefix}${tag(id)}`, ...parts].join(':');
  const part = (what: string, value: string): string => {
    assertPart(what, value);
    return value;
  };

  return {
    prefix,
    tag,
    def: (id) => net(id, 'def'),
    meta: (id) => net(id, 'meta'),
    people: (id) => net(id, 'people'),
    events: (id) => net(id, 'events'),
    tasks: (id, g) => net(id, 'tasks', part('gathering id', g)),
    checkins: (id, g) => net(id, 'checkins', part('gathering id', g)),
    status: (id, m) => net(id, 'status', part('municipality', m)),
    statusById: (id, m) => net(id, 'status', part('municipality', m), 'byid'),
    reflections: (id, m) => net(id, 'reflections', part('municipality', m)),
    reflectionsById: (id, m) => net(id, 'reflections', part('municipality', m), 'byid'),
    steering: (id, m) => net(id, 'steering', part('municipality', m)),
    steeringById: (id, m) => net(id, 'steering', part('municipality', m), 'byid'),
    steeringLinks: (id) => net(id, 'steering-links'),
    identityByUser: (platform, userId) => `${prefix}identity:${part('platform', platform)}:user:${part('user id', userId)}`,
    identityByEmail: (platform, email) => `${prefix}identity:${part('platform', platform)}:email:${normaliseEmail(email)}`,
    inbound: (platform, deliveryId) => `${prefix}inbound:${part('platform', platform)}:${part('delivery id', deliveryId)}`,
    unreachable: (id) => net(id, 'unreachable'),
    leaderChanges: (id) => net(id, 'leader-changes'),
    nudges: (id, m) => net(id, 'nudges', part('municipality', m)),
    nudgesById: (id, m) => net(id, 'nudges', part('municipality', m), 'byid'),
    digestSnapshots: (id) => net(id, 'digest', 'snapshots'),
    digestSnapshotOrder: (id) => net(id, 'digest', 'order'),
    teamsPerson: (email) => `${prefix}teams:person:${part('email', normaliseEmail(email))}`,
    teamsPersonIn: (tenant, email) => `${prefix}teams:person:${part('tenant', tenant)}:${part('email', normaliseEmail(email))}`,
    teamsPersonTenants: (email) => `${prefix}teams:person-tenants:${part('email', normaliseEmail(email))}`,
    teamsTenant: (tenant) => `${prefix}teams:tenant:${part('tenant', tenant)}`,
    teamsConversation: (conversationId) => `${prefix}teams:conversation:${part('conversation id', conversationId)}`,
    schedule: (id) => net(id, 'schedule'),
    occurrences: (id) => net(id, 'occ'),
    occurrenceInfo: (id) => net(id, 'occ', 'info'),
    occurrenceCounts: (id) => net(id, 'occ', 'counts'),
    pace: (platform, address) => `${prefix}pace:${part('platform', platform)}:${part('address', address)}`,
    bullPrefix: () => `${prefix}{bull}`,
    networks: () => `${prefix}networks`,
    personNetworks: (email) => `${prefix}person:${normaliseEmail(email)}:networks`,
    personSeats: (email) => `${prefix}person:${normaliseEmail(email)}:seats`,
    generation: () => `${prefix}networks:generation`,
    demoClock: () => `${prefix}demo:clock`,
    dashboardRevoked: (id) => `${prefix}dashboard:revoked:${part('session', id)}`,
  };
}
