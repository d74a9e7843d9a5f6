/**
 * What `samla person export` and `samla person forget` do with each kind of record Samla keeps,
 * declared per key builder of ./keys.ts (./personData.ts carries it out). `RECORD_KINDS` must
 * name every builder (the type says so, and test/redis.recordKinds.test.ts checks the builders
 * `createKeys` returns), so a new kind of record cannot be left out of export and forget.
 *
 * A key is matched to its kind by the builder that makes it (`keyPattern`), never by parsing
 * its name by hand. A key of a network that no builder makes is still searched: export reports
 * what in it names the person, forget replaces that.
 *
 * After its own rule, every key of a network also has the person's email and full name (whole
 * words, any case) replaced by the token wherever they are left: counts stay right, and nothing
 * names them. A global key that names them anywhere is exported and deleted.
 */
import type { Keys } from './keys.ts';

/** A key builder of ./keys.ts. */
export type KeyBuilder = Exclude<keyof Keys, 'prefix' | 'tag'>;

/** Which entries of a network hash are the person's. */
export type Whose =
  /** the hash field is their email */
  | 'field'
  /** the record's `email` is theirs */
  | 'email'
  /** the record's `loggedBy` is their email */
  | 'loggedBy'
  /** the record's `linkedBy` is their email */
  | 'linkedBy'
  /** one of the record's `attendees` has one of their names */
  | 'attendee'
  /** the hash field is an occurrence id, which ends in their email */
  | 'occurrence';

/** The lists of one network in the export (see NetworkExport in ./personData.ts). */
export type ExportList =
  | 'taskAnswers'
  | 'checkins'
  | 'statusReports'
  | 'reflectionNotes'
  | 'steeringMeetingsLogged'
  | 'steeringMeetingsAttended'
  | 'steeringLinks'
  | 'deliveries';

export type NetworkExportRule =
  /** their organiser and member entries, and the network's name */
  | 'definition'
  /** their entry as `person` / `unreachable` (the hash field is their email) */
  | { one: 'person' | 'unreachable' }
  /** their entries (by `whose`) in these lists */
  | { lists: Partial<Record<Whose, ExportList>> }
  /** events they did or that name them */
  | 'events'
  /** anything in it that names them, as `otherMentions` */
  | 'mentions'
  /** nothing: why it holds nothing of theirs */
  | { none: string };

export type NetworkForgetRule =
  /** they are removed from the network definition */
  | 'definition'
  /** the definition changed: version + 1 (every process reloads it), new digest and people count */
  | 'definitionChanged'
  /** their entries (by `whose`) are deleted, counted under `deleted[count]` */
  | { delete: string }
  /**
   * their entries (by `whose`) stay under the token, counted under `anonymised[count]`; `drop`
   * lists the fields deleted from them ("textAnswers": the check-in's free-text answers)
   */
  | { anonymise: string; drop?: readonly string[] | 'textAnswers' }
  /** an order set of a by-id hash: ids whose record forget deleted go too */
  | { follow: KeyBuilder }
  /** the email and names in it become the token; counted under `anonymised[count]` when given */
  | { replace: string | null }
  /** kept as it is (the token still replaces any email or name): why */
  | { keep: string };

export interface NetworkKind {
  scope: 'network';
  whose?: readonly Whose[];
  export: NetworkExportRule;
  forget: NetworkForgetRule;
}

export interface GlobalKind {
  scope: 'global';
  /**
   * Which keys are the person's: `keyEmail`, the email in the key is theirs; `valueEmail`, the
   * value is their email; `teamsChat`, the personal Teams chat their `teamsPerson` points to.
   * Without it, a key is theirs only when it names them (then it is exported and deleted).
   */
  whose?: 'keyEmail' | 'valueEmail' | 'teamsChat';
  /** `identities`: platform (the key's first part) → the value; `teamsPerson`, `teamsChat`: under `teams`. */
  export: 'identities' | 'teamsPerson' | 'teamsChat' | { none: string };
  forget: 'delete' | { keep: string };
}

/** Keys whose export and forget are the caller's (the delivery queues, src/cli/personCommand.ts). */
export interface CallerKind {
  scope: 'caller';
  why: string;
}

export type RecordKind = NetworkKind | GlobalKind | CallerKind;

const IDS_ONLY = 'ids and times only; the records are in the by-id hash';

/** Every key builder, what it holds of a person, and what export and forget do with it. */
export const RECORD_KINDS = {
  def: { scope: 'network', export: 'definition', forget: 'definition' },
  meta: { scope: 'network', export: { none: 'name, version, digest and counts of the network' }, forget: 'definitionChanged' },
  people: { scope: 'network', whose: ['field'], export: { one: 'person' }, forget: { delete: 'person' } },
  events: { scope: 'network', export: 'events', forget: { replace: 'events' } },
  tasks: { scope: 'network', whose: ['email'], export: { lists: { email: 'taskAnswers' } }, forget: { anonymise: 'taskAnswers', drop: ['comment'] } },
  checkins: { scope: 'network', whose: ['email'], export: { lists: { email: 'checkins' } }, forget: { anonymise: 'checkins', drop: 'textAnswers' } },
  status: { scope: 'network', export: { none: IDS_ONLY }, forget: { follow: 'statusById' } },
  statusById: {
    scope: 'network',
    whose: ['email'],
    export: { lists: { email: 'statusReports' } },
    // Overall state, plan parts, steering met and date stay; the texts go.
    forget: { anonymise: 'statusReports', drop: ['text', 'done', 'next', 'blockers'] },
  },
  reflections: { scope: 'network', export: { none: IDS_ONLY }, forget: { follow: 'reflectionsById' } },
  reflectionsById: { scope: 'network', whose: ['email'], export: { lists: { email: 'reflectionNotes' } }, forget: { delete: 'reflectionNotes' } },
  steering: { scope: 'network', export: { none: IDS_ONLY }, forget: { follow: 'steeringById' } },
  steeringById: {
    scope: 'network',
    whose: ['loggedBy', 'attendee'],
    export: { lists: { loggedBy: 'steeringMeetingsLogged', attendee: 'steeringMeetingsAttended' } },
    // `loggedBy` and their attendee entry become the token; the attendee count stays.
    forget: { anonymise: 'steeringMeetings' },
  },
  steeringLinks: { scope: 'network', whose: ['linkedBy'], export: { lists: { linkedBy: 'steeringLinks' } }, forget: { anonymise: 'steeringLinks' } },
  unreachable: { scope: 'network', whose: ['field'], export: { one: 'unreachable' }, forget: { delete: 'unreachable' } },
  leaderChanges: { scope: 'network', export: 'mentions', forget: { replace: 'leaderChanges' } },
  nudges: { scope: 'network', export: { none: IDS_ONLY }, forget: { follow: 'nudgesById' } },
  nudgesById: { scope: 'network', export: 'mentions', forget: { replace: null } },
  digestSnapshots: { scope: 'network', export: 'mentions', forget: { replace: null } },
  digestSnapshotOrder: { scope: 'network', export: { none: 'digest keys by time' }, forget: { keep: 'digest keys by time' } },
  schedule: { scope: 'network', export: { none: "the scheduler's watermark" }, forget: { keep: "the scheduler's watermark" } },
  // The occurrence id holds the email: the token replaces it, the state stays.
  occurrences: { scope: 'network', whose: ['occurrence'], export: { lists: { occurrence: 'deliveries' } }, forget: { replace: null } },
  // Exported with `occurrences`. Where the message landed (`sentRef`: their personal chat) goes.
  occurrenceInfo: { scope: 'network', whose: ['occurrence'], export: { none: 'exported with each delivery' }, forget: { anonymise: 'deliveries', drop: ['sentRef'] } },
  occurrenceCounts: { scope: 'network', export: { none: 'counts per agenda item' }, forget: { keep: 'counts per agenda item' } },

  identityByEmail: { scope: 'global', whose: 'keyEmail', export: 'identities', forget: 'delete' },
  identityByUser: { scope: 'global', whose: 'valueEmail', export: { none: 'the same identity as identityByEmail' }, forget: 'delete' },
  teamsPerson: { scope: 'global', whose: 'keyEmail', export: 'teamsPerson', forget: 'delete' },
  // Per tenant since a network spans tenants; `teamsPersonTenants` lists the tenants they have one in.
  teamsPersonIn: { scope: 'global', whose: 'keyEmail', export: 'teamsPerson', forget: 'delete' },
  teamsPersonTenants: { scope: 'global', whose: 'keyEmail', export: { none: 'the tenants of the Teams references exported' }, forget: 'delete' },
  teamsTenant: { scope: 'global', export: { none: 'when a tenant installed Samla and was last seen' }, forget: { keep: 'a tenant, not a person (deleted when it names them)' } },
  teamsConversation: { scope: 'global', whose: 'teamsChat', export: 'teamsChat', forget: 'delete' },
  personNetworks: { scope: 'global', whose: 'keyEmail', export: { none: 'an index of the networks listed in the export' }, forget: 'delete' },
  // Copies of their `people` entries, which the export lists per network.
  personSeats: { scope: 'global', whose: 'keyEmail', export: { none: 'copies of the person entries exported per network' }, forget: 'delete' },
  generation: { scope: 'global', export: { none: 'a counter of network changes' }, forget: { keep: 'a counter; forget bumps it so every process reloads' } },
  inbound: { scope: 'global', export: { none: 'a handled delivery id' }, forget: { keep: 'a delivery id, expires within the hour' } },
  pace: { scope: 'global', export: { none: 'a pacing lock' }, forget: { keep: 'a pacing lock of seconds (deleted when it names them)' } },
  networks: { scope: 'global', export: { none: 'network ids' }, forget: { keep: 'network ids' } },
  dashboardRevoked: { scope: 'global', export: { none: 'a signed-out session id' }, forget: { keep: 'a random session id, expires with the session' } },
  demoClock: { scope: 'global', export: { none: "the demo's clock" }, forget: { keep: "the demo's clock" } },
  bullPrefix: { scope: 'caller', why: 'the delivery jobs: src/app/personJobs.ts exports and removes them through BullMQ (and adapters/redis/demoData.ts, starting the demo over)' },
} as const satisfies Record<KeyBuilder, RecordKind>;

/** The builders of one scope, in declaration order. */
export function buildersOf<S extends RecordKind['scope']>(scope: S): [KeyBuilder, Extract<RecordKind, { scope: S }>][] {
  return (Object.entries(RECORD_KINDS) as [KeyBuilder, RecordKind][]).filter((e): e is [KeyBuilder, Extract<RecordKind, { scope: S }>] => e[1].scope === scope);
}

/** A key made by a builder, with the arguments it was made from. */
export interface MatchedKey {
  builder: KeyBuilder;
  /** The builder's arguments after the network id (network keys) or all of them (global keys). */
  params: string[];
}

const PLACEHOLDER = (i: number) => `__samla_param_${i}__`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Pattern {
  builder: KeyBuilder;
  regex: RegExp;
  /** Literal characters: the most specific pattern wins (`status:<m>:byid` over `status:<m>`). */
  literal: number;
}

/**
 * The pattern of the keys a builder makes, from the builder itself: its arguments become
 * placeholders (`[^:]+`, or `.+` for a last argument that ends the key). For a network
 * builder, `networkId` fills the first argument.
 */
export function keyPattern(keys: Keys, builder: KeyBuilder, networkId?: string): Pattern {
  const fn = keys[builder] as (...args: string[]) => string;
  const args = Array.from({ length: fn.length }, (_, i) => PLACEHOLDER(i));
  if (networkId !== undefined && args.length) args[0] = networkId;
  const made = fn(...args);
  let literal = made.length;
  let source = escapeRegExp(made);
  args.forEach((a, i) => {
    if (a === networkId && i === 0) return;
    literal -= a.length;
    source = source.replace(escapeRegExp(a), made.endsWith(a) ? '(.+)' : '([^:]+)');
  });
  return { builder, regex: new RegExp(`^${source}$`), literal };
}

/** Matches keys to the builders that make them, for one network's keys or the global ones. */
export function keyMatcher(keys: Keys, scope: 'network' | 'global', networkId?: string): (key: string) => MatchedKey | undefined {
  const patterns = buildersOf(scope)
    .map(([b]) => keyPattern(keys, b, networkId))
    .sort((a, b) => b.literal - a.literal);
  return (key) => {
    for (const p of patterns) {
      const m = p.regex.exec(key);
      if (m) return { builder: p.builder, params: m.slice(1) };
    }
    return undefined;
  };
}
