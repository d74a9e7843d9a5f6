/**
 * The people of the local chat as Teams would know them. Every person of the networks Samla
 * holds gets a stable Teams-shaped account derived from their email: a user id ("29:local-…"),
 * an AAD object id, and a personal chat with Samla ("a:local-…"). The bridge answers Samla's
 * member lookups with these accounts and the person's email, so Samla identifies the person
 * exactly as it does in Teams (email, then UPN).
 */
import { createHash } from 'node:crypto';
import type { NetworkStore } from '../../src/core/ports.ts';
import { normaliseEmail } from '../../src/core/people.ts';

/** Samla's own id in the local chat (Teams: "28:<app id>"). */
export const LOCAL_BOT = { id: '28:samla-local', name: 'Samla' } as const;
/** The tenant every local conversation belongs to. */
export const LOCAL_TENANT = 'local-tenant';
/** The one team the local install puts everyone in (Samla reads its roster, as in Teams). */
export const LOCAL_TEAM = { id: '19:local-team@thread.tacv2', name: 'Samla (lokal demo)' } as const;

export interface LocalPerson {
  email: string;
  name: string;
}

export interface LocalAccount extends LocalPerson {
  /** The key every id of this person is built from: 16 hex digits of the email's SHA-256. */
  key: string;
  /** Teams user id. */
  id: string;
  aadObjectId: string;
  userPrincipalName: string;
}

export function accountKey(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('hex').slice(0, 16);
}

export function accountFor(p: LocalPerson): LocalAccount {
  const email = normaliseEmail(p.email);
  const key = accountKey(email);
  return { key, email, name: p.name, id: `29:local-${key}`, aadObjectId: `local-aad-${key}`, userPrincipalName: email };
}

/** The personal chat between Samla and the person with this key. */
export function personalConversationId(key: string): string {
  return `a:local-${key}`;
}

export function keyOfUserId(id: string): string | undefined {
  return /^29:local-([0-9a-f]{16})$/.exec(id)?.[1];
}

export function keyOfConversation(id: string): string | undefined {
  return /^a:local-([0-9a-f]{16})$/.exec(id)?.[1];
}

/** Who can be chosen in the local chat: every current member and organiser of every network. */
export interface PeopleDirectory {
  all(): Promise<LocalAccount[]>;
  byKey(key: string): Promise<LocalAccount | undefined>;
  byEmail(email: string): Promise<LocalAccount | undefined>;
}

/** The directory read from the store (network files, not removed people), on every call: networks change on import. */
export function storeDirectory(store: NetworkStore): PeopleDirectory {
  const all = async (): Promise<LocalAccount[]> => {
    const out = new Map<string, LocalAccount>();
    for (const summary of await store.listNetworks()) {
      const def = await store.getNetwork(summary.id);
      if (!def) continue;
      for (const o of def.organisers) if (!out.has(normaliseEmail(o.email))) out.set(normaliseEmail(o.email), accountFor(o));
      for (const m of def.municipalities) for (const p of m.members) if (!out.has(normaliseEmail(p.email))) out.set(normaliseEmail(p.email), accountFor(p));
    }
    return [...out.values()];
  };
  return {
    all,
    byKey: async (key) => (await all()).find((a) => a.key === key),
    byEmail: async (email) => (await all()).find((a) => a.email === normaliseEmail(email)),
  };
}
