/**
 * Where Samla can reach people and channels in Teams, kept in Redis (key names in
 * adapters/redis/keys.ts):
 *
 * - a person's reference, by tenant and email (`teams:person:<tenant>:<email>`, a hash; "-" for
 *   an activity that names no tenant): their Teams user id and AAD object id, the serviceUrl, and
 *   the id of their personal chat with Samla once it exists. The same email in another tenant is
 *   another reference (and, to the tenant gate, someone else). Fields are written with HSET only
 *   for what is known, so two writers merge instead of overwriting each other, without a
 *   read-then-write. `teams:person-tenants:<email>` (a set) lists the tenants a person has a
 *   reference in; references from before tenants were keyed (`teams:person:<email>`) are still read.
 * - a conversation's reference, by conversation id (`teams:conversation:<id>`): serviceUrl,
 *   tenant, kind; for channels (steering groups) and for updating any message later.
 *
 * Who cannot be reached is kept by the store, per network (NetworkStore.markUnreachable, the
 * `{<network>}:unreachable` hash, shared with the other platforms and the delivery worker), with
 * the Teams reasons below, so the organisers see it; cleared when the person turns up.
 *
 * - a tenant's record (`teams:tenant:<tenant>`, a hash): when Samla was first and last heard from
 *   there and when it was installed, for `samla network show`.
 *
 * Captured from every installation, `conversationUpdate` and message Samla receives from a tenant
 * it answers.
 */
import type { RedisClient } from '../redis/client.ts';
import { z } from 'zod';
import { type Keys, createKeys } from './keys.ts';
import type { UnreachableEntry } from '../../src/core/model.ts';
import { normaliseEmail } from '../../src/core/people.ts';
import type { ConversationKind } from '../teams/activity.ts';

export interface PersonRef {
  email: string;
  /** The Teams user id ("29:…") the bot addresses them by. */
  userId: string;
  aadObjectId?: string;
  tenantId?: string;
  serviceUrl: string;
  /** The bot's own id in that tenant ("28:<app id>"). */
  botId?: string;
  /** Their personal chat with Samla ("a:…"), once created or seen. */
  conversationId?: string;
  /** A conversation (team) they were found in, used to open the personal chat later. */
  via?: string;
  at: string;
}

export interface ConversationRef {
  conversationId: string;
  serviceUrl: string;
  kind: ConversationKind;
  tenantId?: string;
  teamId?: string;
  botId?: string;
  at: string;
}

export const UNREACHABLE_REASONS = ['no_reference', 'bot_not_in_roster', 'delivery_failed'] as const;
export type UnreachableReason = (typeof UNREACHABLE_REASONS)[number];

/** Someone Samla could not reach in Teams, shown to the organisers (an UnreachableEntry with a Teams reason). */
export interface Unreachable extends UnreachableEntry {
  platform: 'teams';
  reason: UnreachableReason;
}

const personSchema = z.object({
  email: z.string(),
  userId: z.string(),
  aadObjectId: z.string().optional(),
  tenantId: z.string().optional(),
  serviceUrl: z.string(),
  botId: z.string().optional(),
  conversationId: z.string().optional(),
  via: z.string().optional(),
  at: z.string(),
});

const conversationSchema = z.object({
  conversationId: z.string(),
  serviceUrl: z.string(),
  kind: z.enum(['personal', 'channel', 'groupChat']),
  tenantId: z.string().optional(),
  teamId: z.string().optional(),
  botId: z.string().optional(),
  at: z.string(),
});

/** When Samla heard from a tenant. */
export interface TenantRecord {
  firstSeen: string;
  lastSeen: string;
  installedAt?: string;
}

const tenantSchema = z.object({ firstSeen: z.string(), lastSeen: z.string(), installedAt: z.string().optional() });

/** A tenant id as it appears in keys: lower case, "-" for none. */
function tenantPart(tenant: string | undefined): string {
  return tenant ? tenant.toLowerCase() : '-';
}

function parsePerson(all: Record<string, string>): PersonRef | undefined {
  if (!all.userId) return undefined;
  const parsed = personSchema.safeParse(all);
  return parsed.success ? parsed.data : undefined;
}

function defined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

export class TeamsReferenceStore {
  readonly keys: Keys;

  constructor(
    private readonly redis: RedisClient,
    opts: { prefix?: string } = {},
  ) {
    this.keys = createKeys(opts.prefix);
  }

  /** Merges what is known about a person in their tenant into their reference there (fields given replace stored ones). */
  async savePerson(ref: PersonRef): Promise<void> {
    const email = normaliseEmail(ref.email);
    const tenant = tenantPart(ref.tenantId);
    // Two keys in two Cluster slots: the reference first, then the tenant list that finds it.
    // Each is safe to repeat; a stop between them is repaired by the person's next activity.
    await this.redis.hset(this.keys.teamsPersonIn(tenant, email), defined({ ...ref, email, ...(ref.tenantId ? { tenantId: tenant } : {}) }));
    await this.redis.sadd(this.keys.teamsPersonTenants(email), tenant);
  }

  /**
   * A person's reference, or undefined when Samla has never seen them in Teams. With `tenants`,
   * only a reference in one of those tenants counts (the person's municipality's); otherwise
   * any, the latest seen first.
   */
  async person(email: string, tenants?: Iterable<string>): Promise<PersonRef | undefined> {
    const wanted = tenants ? [...tenants] : await this.redis.smembers(this.keys.teamsPersonTenants(email));
    const keys = wanted.map((t) => this.keys.teamsPersonIn(tenantPart(t), email));
    const found: PersonRef[] = [];
    for (const key of keys) {
      const ref = parsePerson(await this.redis.hgetall(key));
      if (ref) found.push(ref);
    }
    if (!found.length) {
      // Stored before references were keyed by tenant.
      const legacy = parsePerson(await this.redis.hgetall(this.keys.teamsPerson(email)));
      const allowed = tenants ? new Set([...tenants].map(tenantPart)) : undefined;
      if (legacy && (!allowed || allowed.has(tenantPart(legacy.tenantId)))) found.push(legacy);
    }
    return found.sort((a, b) => b.at.localeCompare(a.at))[0];
  }

  /** Notes that a tenant was heard from (and, with `installed`, that Samla was installed there). */
  async sawTenant(tenant: string | undefined, at: string, installed = false): Promise<void> {
    const key = this.keys.teamsTenant(tenantPart(tenant));
    const m = this.redis.multi().hsetnx(key, 'firstSeen', at).hset(key, 'lastSeen', at);
    if (installed) m.hset(key, 'installedAt', at);
    await m.exec();
  }

  /** When a tenant was first and last heard from, and last installed in; undefined when never. */
  async tenant(tenant: string): Promise<TenantRecord | undefined> {
    const all = await this.redis.hgetall(this.keys.teamsTenant(tenantPart(tenant)));
    const parsed = tenantSchema.safeParse(all);
    return parsed.success ? parsed.data : undefined;
  }

  async saveConversation(ref: ConversationRef): Promise<void> {
    await this.redis.set(this.keys.teamsConversation(ref.conversationId), JSON.stringify(ref));
  }

  async conversation(conversationId: string): Promise<ConversationRef | undefined> {
    const json = await this.redis.get(this.keys.teamsConversation(conversationId));
    if (json === null) return undefined;
    try {
      const parsed = conversationSchema.safeParse(JSON.parse(json));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
