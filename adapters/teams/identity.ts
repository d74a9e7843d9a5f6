/**
 * Teams' side of identity, for the core's resolver (src/core/dispatch/identity.ts): the sender's
 * AAD object id (`from.aadObjectId`, else the Teams user id `from.id`) is the identity cache's
 * key; on a miss the turn asks Teams (`GET /v3/conversations/{conversation}/members/{user}`) for
 * the member's `email` and `userPrincipalName`, the candidates the resolver tries in order.
 * AAD object ids are unique across tenants; whether an email may be matched in the writer's
 * tenant is the tenant gate's decision (./tenants.ts), asked through the directory's `accepts`.
 */
import { normaliseEmail } from '../../src/core/people.ts';
import type { NetworkStore } from '../../src/core/ports.ts';
import type { TeamsMember } from './connector.ts';

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
 * those networks; undefined when none does. `accepts` says whether the member may be that person
 * at all (their tenant); a refused email is someone else's.
 */
export async function matchMember(
  store: NetworkStore,
  member: Pick<TeamsMember, 'email' | 'userPrincipalName'>,
  accepts: (email: string) => Promise<boolean> = async () => true,
): Promise<{ email: string; networks: string[] } | undefined> {
  for (const email of candidateEmails(member)) {
    if (!(await accepts(email))) continue;
    const networks = await store.networksOf(email);
    if (networks.length) return { email, networks };
  }
  return undefined;
}
