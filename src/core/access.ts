/**
 * Who sees what. Organisers see their networks; a municipality's people see their own
 * municipality's records; reflection notes not shared with the network are visible only to that
 * municipality's reflection group and project leader (not even to organisers). Every read path
 * asks here, and a denied request says why, in the person's language.
 */
import type { Me } from './journeys/context.ts';
import type { Locale, ReflectionNote } from './model.ts';
import type { Texts } from './texts.ts';

export type Access = { allowed: true } | { allowed: false; reason: string };

/**
 * Someone at the command line with the store's credentials (`samla digest`): an operator who
 * already holds every record, so reads are allowed. Chat users are always a `Me`.
 */
export interface Operator {
  operator: true;
  locale: Locale;
}

/** Who is reading: a person in chat, or the operator at the command line. */
export type Reader = Me | Operator;

export function isOperator(who: Reader): who is Operator {
  return 'operator' in who && who.operator === true;
}

const ok: Access = { allowed: true };

function deny(texts: Texts, locale: Locale, key: string, vars: Record<string, string> = {}): Access {
  return { allowed: false, reason: texts.t(locale, `access.${key}`, vars) };
}

export function isOrganiser(me: Me, network: string): boolean {
  return me.organiserOf.some((n) => n.id === network);
}

function memberOf(me: Me, network: string, municipality: string) {
  return me.seats.find((s) => s.network.id === network && s.municipality.id === municipality);
}

/** The organisers' digest and dashboard: organisers of that network only (and the operator). */
export function canSeeDigest(texts: Texts, who: Reader, network: string): Access {
  if (isOperator(who)) return ok;
  return isOrganiser(who, network) ? ok : deny(texts, who.locale, 'digest_organisers_only');
}

/** A municipality's status reports, tasks, check-ins and steering meetings. */
export function canSeeMunicipality(texts: Texts, who: Reader, network: string, municipality: string): Access {
  if (isOperator(who)) return ok;
  if (isOrganiser(who, network) || memberOf(who, network, municipality)) return ok;
  return deny(texts, who.locale, 'other_municipality');
}

/**
 * One reflection note. Shared (anonymised) notes: everyone in the network, without the author.
 * Private notes: the municipality's reflection group and project leader only.
 */
export function canSeeReflection(texts: Texts, me: Me, note: ReflectionNote): Access {
  const seat = memberOf(me, note.network, note.municipality);
  if (seat && seat.membership.roles.some((r) => r === 'refleksjonsgruppe' || r === 'prosjektleder')) return ok;
  if (note.share === 'anonymised' && (isOrganiser(me, note.network) || me.seats.some((s) => s.network.id === note.network))) return ok;
  return deny(texts, me.locale, 'reflection_private');
}

/** A note as a reader may see it: anonymised notes lose their author for anyone outside the group. */
export function reflectionAsSeenBy(me: Me, note: ReflectionNote): ReflectionNote {
  const seat = memberOf(me, note.network, note.municipality);
  const insider = seat?.membership.roles.some((r) => r === 'refleksjonsgruppe' || r === 'prosjektleder');
  if (insider) return note;
  const { email: _email, ...rest } = note;
  return { ...rest, email: '' };
}

/** The notes of a municipality a person may read, as they may see them. */
export function visibleReflections(texts: Texts, me: Me, notes: ReflectionNote[]): ReflectionNote[] {
  return notes.filter((n) => canSeeReflection(texts, me, n).allowed).map((n) => reflectionAsSeenBy(me, n));
}
