/**
 * Where Samla can reach people and channels in Teams, kept in Redis (key names in
 * adapters/redis/keys.ts):
 *
 * - a person's reference, by email (`teams:person:<email>`, a hash): their Teams user id and
 *   AAD object id, the tenant and serviceUrl, and the id of their personal chat with Samla once
 *   it exists. Fields are written with HSET only for what is known, so two writers merge
 *   instead of overwriting each other, without a read-then-write.
 * - a conversation's reference, by conversation id (`teams:conversation:<id>`): serviceUrl,
 *   tenant, kind; for channels (steering groups) and for updating any message later.
 *
 * Who cannot be reached is kept by the store, per network (NetworkStore.markUnreachable, the
 * `{<network>}:unreachable` hash, shared with the other platforms and the delivery worker), with
 * the Teams reasons below, so the organisers see it; cleared when the person turns up.
 *
 * Captured from every installation, `conversationUpdate` and message Samla receives.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type Keys, createKeys } from '../redis/keys.ts';
import type { UnreachableEntry } from '../../src/core/model.ts';
import { normaliseEmail } from '../../src/core/people.ts';
import type { ConversationKind } from './activity.ts';

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

function defined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

export class TeamsReferenceStore {
  readonly keys: Keys;

  constructor(
    private readonly redis: Redis,
    opts: { prefix?: string } = {},
  ) {
    this.keys = createKeys(opts.prefix);
  }

  /** Merges what is known about a person into their reference (fields given replace stored ones). */
  async savePerson(ref: PersonRef): Promise<void> {
    const email = normaliseEmail(ref.email);
    await this.redis.hset(this.keys.teamsPerson(email), defined({ ...ref, email }));
  }

  /** A person's reference, or undefined when Samla has never seen them in Teams. */
  async person(email: string): Promise<PersonRef | undefined> {
    const all = await this.redis.hgetall(this.keys.teamsPerson(email));
    if (!all.userId) return undefined;
    const parsed = personSchema.safeParse(all);
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
