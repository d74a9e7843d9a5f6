/**
 * The interfaces the core owns. Adapters (Redis, Slack, Teams) implement them; the core
 * never imports an adapter.
 */
import type { MessageDraft } from './drafts.ts';
import type { NudgeRecord, StoredDigestSnapshot } from './followUp.ts';
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
} from './model.ts';

export interface NetworkSummary {
  id: string;
  name: string;
  programme?: string;
  municipalities: number;
  people: number;
  gatherings: number;
  importedAt: string;
  /** Increases by one with every import that changed something. */
  version: number;
}

export interface ImportResult {
  network: string;
  /** True when the network did not exist before. */
  created: boolean;
  /** False when the file was identical to what was stored (nothing written). */
  changed: boolean;
  version: number;
  peopleAdded: string[];
  /** People no longer in the file: they lose their roles, their history stays. */
  peopleRemoved: string[];
  /** Gatherings whose start or end moved, with the old and new local start. */
  gatheringsMoved: { id: string; from: string; to: string }[];
}

/** A steering group's channel, linked from the channel itself (overrides the file's). */
export interface SteeringLink {
  network: string;
  municipality: string;
  platform: Platform;
  channel: string;
  linkedBy: string;
  at: string;
}

/**
 * Who a platform user is: Slack user ids and Teams (AAD object) ids mapped to emails, cached
 * so a button click does not need a platform API call.
 */
export interface IdentityStore {
  emailOf(platform: Platform, userId: string): Promise<string | undefined>;
  userIdOf(platform: Platform, email: string): Promise<string | undefined>;
  remember(platform: Platform, userId: string, email: string): Promise<void>;
}

/**
 * Inbound deliveries already handled, so a platform's redelivery of the same request (Slack's
 * retries, Teams' redelivered activities) never records anything twice.
 */
export interface InboundLog {
  /** True the first time this delivery id is seen on this platform, false for a redelivery. */
  first(platform: Platform, deliveryId: string): Promise<boolean>;
}

/** A person's record in one network, with that network's definition (NetworkStore.personSeats). */
export interface PersonInNetwork {
  network: NetworkDefinition;
  person: Person;
}

export interface ImportProgress {
  (done: number, total: number): void;
}

export interface NetworkStore {
  /**
   * Stores a validated network definition. Atomic (all or nothing) and idempotent: importing
   * the same definition twice changes nothing; importing an edited one updates the network.
   * Concurrent imports of the same network leave one of them, whole.
   */
  importNetwork(
    def: NetworkDefinition,
    opts?: { actor?: string; now?: Date; onProgress?: ImportProgress },
  ): Promise<ImportResult>;
  listNetworks(): Promise<NetworkSummary[]>;
  getNetwork(id: string): Promise<NetworkDefinition | undefined>;
  getSummary(id: string): Promise<NetworkSummary | undefined>;
  /** Everyone ever in the network, including people removed from the file. */
  getPeople(networkId: string): Promise<Person[]>;
  getPerson(networkId: string, email: string): Promise<Person | undefined>;

  recordTaskCompletion(c: TaskCompletion): Promise<void>;
  listTaskCompletions(networkId: string, gatheringId: string): Promise<TaskCompletion[]>;
  /**
   * Stores one person's check-in answers for a gathering. With `merge`, answers stored earlier
   * and not in `a` are kept, atomically: two quick clicks on different questions both stay.
   */
  recordCheckin(a: CheckinAnswer, opts?: { merge?: boolean }): Promise<void>;
  listCheckins(networkId: string, gatheringId: string): Promise<CheckinAnswer[]>;
  /** One person's check-in answers for a gathering in a municipality, or undefined. */
  getCheckin(networkId: string, gatheringId: string, municipality: string, email: string): Promise<CheckinAnswer | undefined>;
  recordStatus(s: StatusReport): Promise<void>;
  /** Newest first. */
  listStatus(networkId: string, municipality: string, limit?: number): Promise<StatusReport[]>;
  recordReflection(n: ReflectionNote): Promise<void>;
  /** Oldest first; with `newest`, only the newest that many (still oldest first). */
  listReflections(networkId: string, municipality: string, opts?: { newest?: number }): Promise<ReflectionNote[]>;
  recordSteeringMeeting(m: SteeringMeeting): Promise<void>;
  /** Oldest first (by meeting date); with `newest`, only the newest that many (still oldest first). */
  listSteeringMeetings(networkId: string, municipality: string, opts?: { newest?: number }): Promise<SteeringMeeting[]>;

  /** Ids of the networks in which this email is a current member or organiser. */
  networksOf(email: string): Promise<string[]>;

  /**
   * The networks in which this email is a current member or organiser, each with the person's
   * record there and the network's definition, sorted by network id: the person index, read once
   * (the hot path of every click). The definitions are shared: never modify them.
   */
  personSeats(email: string): Promise<PersonInNetwork[]>;

  /**
   * A value that changes after every import, forget or removal of a network (in any process).
   * While it stays the same, what `personSeats` answered stays true; callers may cache on it.
   */
  generation(): Promise<string>;

  /** Links a municipality's steering group to a channel (Slack or Teams); replaces an earlier link. */
  linkSteeringChannel(link: SteeringLink): Promise<void>;
  /** The linked steering channels of a network, by municipality. */
  steeringLinks(networkId: string): Promise<Record<string, SteeringLink>>;

  /** The append-only event log of a network, oldest first. */
  events(networkId: string, opts?: { after?: string; count?: number }): Promise<NetworkEvent[]>;

  /**
   * Project-leader changes found by imports, oldest first (also in the `network.imported`
   * events, but kept apart so the lagging rules need not read the whole event log).
   */
  listLeaderChanges(networkId: string): Promise<LeaderChange[]>;

  /**
   * Records a steering-group nudge that was sent, with a `nudge.sent` event. A nudge with an id
   * already recorded is ignored (several DMs of one nudge record it once).
   */
  recordNudge(networkId: string, nudge: NudgeRecord): Promise<void>;
  /** A municipality's nudges, newest first; at most `limit` when given. */
  listNudges(networkId: string, municipality: string, limit?: number): Promise<NudgeRecord[]>;

  /**
   * Keeps the signal kinds a scheduled digest showed, so the next one can say what is new and
   * what was resolved. The first snapshot saved under a `key` (the digest's week) wins.
   */
  saveDigestSnapshot(networkId: string, snapshot: StoredDigestSnapshot): Promise<void>;
  /** The newest snapshot, or the newest taken for a digest planned before `before`. */
  lastDigestSnapshot(networkId: string, before?: Date): Promise<StoredDigestSnapshot | undefined>;

  /** People of a network Samla cannot reach, by email. */
  listUnreachable(networkId: string): Promise<UnreachableEntry[]>;
  /** Records (or refreshes) that a person cannot be reached, in each of the given networks. */
  markUnreachable(networkIds: readonly string[], entry: UnreachableEntry): Promise<void>;
  /** Forgets that a person was unreachable (they wrote to Samla, or a message reached them). */
  clearUnreachable(networkIds: readonly string[], email: string): Promise<void>;
}

/** Where a sent message landed, so it can be updated in place later. */
export interface SentRef {
  platform: Platform;
  /** Slack: channel id (a DM channel for people); Teams: conversation id. */
  conversation: string;
  /** Slack: message ts; Teams: activity id. */
  message: string;
  /** Slack, serving several workspaces: the workspace (T…) the message is in. */
  workspace?: string;
}

/**
 * What a message is sent in, beyond its address: a platform serving several workspaces or
 * tenants picks the one of the recipient's municipality (or the organiser's) from the network.
 */
export interface SendContext {
  network: string;
  /** The recipient's municipality; none for an organiser's message. */
  municipality?: string;
}

/**
 * A chat platform as the scheduler and the journeys see it. Slack and Teams adapters implement
 * it; their failures are DeliveryErrors that say whether trying again can help.
 */
export interface ChatPlatform {
  readonly platform: Platform;
  /** A direct message to a person, found by email (or their cached platform id). */
  sendToPerson(email: string, draft: MessageDraft, context?: SendContext): Promise<SentRef>;
  /** A message to a channel (a steering group's). */
  sendToChannel(channel: string, draft: MessageDraft, context?: SendContext): Promise<SentRef>;
  /** Replaces a message sent before. */
  update(ref: SentRef, draft: MessageDraft): Promise<void>;
}

/**
 * A failed delivery. `permanent` failures (user not found, channel archived, bot not in the
 * roster) are not retried; transient ones (429, 5xx, network) are, honouring `retryAfterMs`.
 * `unreachable` says the failure is the person's (no such user, a deactivated account): the
 * delivery worker then records them as unreachable, so the organisers see it in the digest. An
 * adapter that records unreachable people itself, with its own reasons (Teams), leaves it off.
 */
export class DeliveryError extends Error {
  readonly unreachable: boolean;
  /** The Slack workspace (T…) that could not be reached, when that is why (not installed). */
  readonly workspace?: string;

  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; unreachable?: boolean; workspace?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.unreachable = options?.unreachable ?? false;
    if (options?.workspace) this.workspace = options.workspace;
  }
}

export interface DashboardLink {
  url: string;
  /** How long the link works; absent for a local link that needs no sign-in (demo mode). */
  minutes?: number;
}

/** Makes dashboard links (`dashboard` in chat); the web adapter implements it (src/web/access.ts). */
export interface DashboardLinks {
  /** A link that signs this person in, or undefined when sign-in is not set up. */
  linkFor(email: string): DashboardLink | undefined;
}

/** Dashboard sessions signed out before they expire (adapters/redis/dashboardSessions.ts). */
export interface SessionRevocations {
  /** Ends the session `id` for good (kept until `expires`, when its token stops working anyway). */
  revoke(id: string, expires: Date, now: Date): Promise<void>;
  isRevoked(id: string): Promise<boolean>;
}
