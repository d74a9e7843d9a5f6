import type { MemberRole, Membership, NetworkDefinition, Person } from './model.ts';

/** Emails are identities; compare them case-insensitively. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Everyone the network file names, one entry per email: organisers and municipality members.
 * A person listed in several municipalities gets one membership per municipality. Locale and
 * platform fall back to the municipality's, then the network's.
 */
export function derivePeople(def: NetworkDefinition): Person[] {
  const byEmail = new Map<string, Person>();
  for (const o of def.organisers) {
    const email = normaliseEmail(o.email);
    byEmail.set(email, {
      email,
      name: o.name,
      locale: o.locale ?? def.locale,
      platform: o.platform,
      memberships: [],
      organiser: true,
    });
  }
  for (const m of def.municipalities) {
    for (const member of m.members) {
      const email = normaliseEmail(member.email);
      let p = byEmail.get(email);
      if (!p) {
        p = {
          email,
          name: member.name,
          locale: member.locale ?? m.locale ?? def.locale,
          platform: member.platform ?? m.platform,
          memberships: [],
          organiser: false,
        };
        byEmail.set(email, p);
      }
      const ms: Membership = { municipality: m.id, roles: [...member.roles] };
      if (member.party) ms.party = member.party;
      if (member.chair) ms.chair = true;
      p.memberships.push(ms);
    }
  }
  return [...byEmail.values()];
}

/** True when the person holds any of the roles in the given municipality (or any, if omitted). */
export function hasRole(p: Person, roles: readonly MemberRole[], municipality?: string): boolean {
  return p.memberships.some(
    (ms) => (municipality === undefined || ms.municipality === municipality) && ms.roles.some((r) => roles.includes(r)),
  );
}
