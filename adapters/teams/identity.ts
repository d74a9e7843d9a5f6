/**
 * Who a Teams user is, as an email Samla knows.
 *
 * The sender's AAD object id (`from.aadObjectId`, else the Teams user id `from.id`) is looked up
 * in the identity cache (RedisIdentityStore, platform "teams"). On a miss Samla asks Teams:
 * `GET /v3/conversations/{conversation}/members/{user}` returns the member's `email` and
 * `userPrincipalName`; the first of them that some network knows is the person's email, and is
 * cached. People no network knows are not cached, so adding them to a network file is enough.
 */
import type { ConnectorClient } from '@microsoft/agents-hosting';
import { normaliseEmail } from '../../src/core/people.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import { type TeamsMember, readMember } from './connector.ts';

/** The cache key of a Teams user: the AAD object id when known, else the Teams user id. */
export function identityKey(user: { id: string; aadObjectId?: string }): string {
  return user.aadObjectId ?? user.id;
}

/** The emails a member could be known by: their mail, then their UPN (sign-in name). */
export function candidateEmails(member: Pick<TeamsMember, 'email' | 'userPrincipalName'>): string[] {
  const out: string[] = [];
  for (const e of [member.email, member.userPrincipalName]) {
    if (e && e.includes('@')) {
      const n = normaliseEmail(e);
      if (!out.includes(n)) out.push(n);
    }
  }
  return out;
}

/**
 * The email under which a network knows this member (email first, then UPN), with the ids of
 * those networks; undefined when none does.
 */
export async function matchMember(store: NetworkStore, member: Pick<TeamsMember, 'email' | 'userPrincipalName'>): Promise<{ email: string; networks: string[] } | undefined> {
  for (const email of candidateEmails(member)) {
    const networks = await store.networksOf(email);
    if (networks.length) return { email, networks };
  }
  return undefined;
}

export interface SenderIdentity {
  /** The email Samla knows the sender by; undefined for someone no network knows. */
  email?: string;
  /** The roster entry, when Teams was asked. */
  member?: TeamsMember;
}

/** Resolves the sender of an activity (cache first, then the conversation's roster). */
export async function identifySender(
  deps: { store: NetworkStore; identities: IdentityStore },
  client: ConnectorClient,
  activity: { from: { id: string; aadObjectId?: string }; conversation: { id: string } },
  /** Where to look the member up: the team for channel messages (as TeamsInfo does), else the conversation. */
  rosterConversation: string = activity.conversation.id,
): Promise<SenderIdentity> {
  const key = identityKey(activity.from);
  const cached = await deps.identities.emailOf('teams', key);
  if (cached) return { email: cached };
  const member = await readMember(client, rosterConversation, activity.from.id);
  if (!member) return {};
  const matched = await matchMember(deps.store, member);
  if (!matched) return { member };
  await deps.identities.remember('teams', identityKey({ id: member.id, aadObjectId: member.aadObjectId ?? activity.from.aadObjectId }), matched.email);
  return { email: matched.email, member };
}
