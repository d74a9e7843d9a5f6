/**
 * What every journey needs, and who the person acting is. Journeys are the use cases the
 * Slack and Teams adapters (and the scheduler) share: same records, same rules, different
 * rendering.
 */
import { SamlaError } from '../errors.ts';
import { joinNames } from '../format.ts';
import type { Locale, MemberRole, Membership, Municipality, NetworkDefinition, Person } from '../model.ts';
import { normaliseEmail } from '../people.ts';
import type { DashboardLinks, NetworkStore } from '../ports.ts';
import type { Texts } from '../texts.ts';

export interface JourneyContext {
  store: NetworkStore;
  texts: Texts;
  now: () => Date;
  /** Links to the organisers' dashboard (`dashboard` in chat); absent when no web pages are served. */
  dashboard?: DashboardLinks;
}

/** A person's place in one municipality of one network. */
export interface Seat {
  network: NetworkDefinition;
  municipality: Municipality;
  membership: Membership;
}

/** The person acting, with every network and municipality they belong to. */
export interface Me {
  email: string;
  name: string;
  locale: Locale;
  seats: Seat[];
  /** Networks this person organises. */
  organiserOf: NetworkDefinition[];
}

/**
 * Looks a person up by email across all networks. Undefined when Samla does not know them (or
 * they were removed from every network file).
 */
export async function whoAmI(ctx: JourneyContext, email: string): Promise<Me | undefined> {
  const e = normaliseEmail(email);
  // The person index: their record in every network, with the (cached) definitions, read once.
  const loaded = await ctx.store.personSeats(e);
  const seats: Seat[] = [];
  const organiserOf: NetworkDefinition[] = [];
  let person: Person | undefined;
  for (const { network: def, person: p } of loaded) {
    if (p.removedAt) continue;
    person ??= p;
    if (p.organiser) organiserOf.push(def);
    for (const membership of p.memberships) {
      const municipality = def.municipalities.find((m) => m.id === membership.municipality);
      if (municipality) seats.push({ network: def, municipality, membership });
    }
  }
  if (!person) return undefined;
  return { email: e, name: person.name, locale: person.locale ?? 'nb', seats, organiserOf };
}

export function seatsWithRole(me: Me, roles: readonly MemberRole[]): Seat[] {
  return me.seats.filter((s) => s.membership.roles.some((r) => roles.includes(r)));
}

export function findSeat(me: Me, network: string, municipality: string): Seat | undefined {
  return me.seats.find((s) => s.network.id === network && s.municipality.id === municipality);
}

export function isOrganiserOf(me: Me, network: string): boolean {
  return me.organiserOf.some((n) => n.id === network);
}

/** The names of the people holding a role in a municipality, joined for a sentence. */
export function namesWithRole(m: Municipality, role: MemberRole, locale: Locale): string {
  return joinNames(
    m.members.filter((p) => p.roles.includes(role)).map((p) => p.name),
    locale,
  );
}

/** "Ingrid Fjeld (ingrid.fjeld@example.no)" for every organiser of the given networks. */
export function organisersText(networks: NetworkDefinition[], locale: Locale): string {
  const seen = new Map<string, string>();
  for (const n of networks) for (const o of n.organisers) seen.set(normaliseEmail(o.email), `${o.name} (${o.email})`);
  return joinNames([...seen.values()], locale);
}

/** A journey refused: the person gets `message` in their language; nothing was written. */
export class JourneyRefusal extends SamlaError {
  constructor(readonly userMessage: string) {
    super('FORBIDDEN', userMessage);
  }
}
