/**
 * Reading a municipality's records, for anyone who asks (chat, the dashboard): every read asks
 * src/core/access.ts and a denied read says why, in the reader's language.
 *
 * - status history: the network's organisers and the municipality's own people;
 * - reflection notes: the municipality's reflection group and project leader read all of them;
 *   notes shared anonymised are read by everyone in the network and its organisers, without
 *   their author; private notes by nobody else, not even the organisers.
 */
import { canSeeMunicipality, canSeeReflection, reflectionAsSeenBy, type Reader } from '../access.ts';
import type { ReflectionNote, StatusReport } from '../model.ts';
import { JourneyRefusal, type JourneyContext, type Me } from './context.ts';

/** A municipality's status reports, newest first. */
export async function readStatusHistory(ctx: JourneyContext, who: Reader, network: string, municipality: string): Promise<StatusReport[]> {
  const access = canSeeMunicipality(ctx.texts, who, network, municipality);
  if (!access.allowed) throw new JourneyRefusal(access.reason);
  return ctx.store.listStatus(network, municipality);
}

/** The reflection notes of a municipality this person may read, as they may see them (oldest first). */
export async function readReflections(ctx: JourneyContext, me: Me, network: string, municipality: string): Promise<ReflectionNote[]> {
  const notes = await ctx.store.listReflections(network, municipality);
  const visible = notes.filter((n) => canSeeReflection(ctx.texts, me, n).allowed);
  if (visible.length === 0 && notes.length > 0) {
    const denied = canSeeReflection(ctx.texts, me, notes[0]!);
    if (!denied.allowed) throw new JourneyRefusal(denied.reason);
  }
  return visible.map((n) => reflectionAsSeenBy(me, n));
}

/** One reflection note by id, as this person may see it; refused with the reason otherwise. */
export async function readReflection(ctx: JourneyContext, me: Me, network: string, municipality: string, id: string): Promise<ReflectionNote | undefined> {
  const note = (await ctx.store.listReflections(network, municipality)).find((n) => n.id === id);
  if (!note) return undefined;
  const access = canSeeReflection(ctx.texts, me, note);
  if (!access.allowed) throw new JourneyRefusal(access.reason);
  return reflectionAsSeenBy(me, note);
}
