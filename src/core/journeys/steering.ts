/**
 * Linking a municipality's steering group to a channel, from the channel itself. Allowed for
 * the network's organisers and that municipality's project leader.
 */
import type { Platform } from '../model.ts';
import { isOrganiserOf, type JourneyContext, type Me } from './context.ts';

export type LinkResult = { kind: 'linked'; message: string; networks: string[] } | { kind: 'refused'; message: string };

export async function linkSteeringChannel(
  ctx: JourneyContext,
  me: Me,
  input: { municipality: string; platform: Platform; channel: string },
): Promise<LinkResult> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const kommune = input.municipality.trim();
  if (!/^\d{4}$/.test(kommune)) return { kind: 'refused', message: t('steering.usage') };
  const networks = [...new Map([...me.organiserOf, ...me.seats.map((s) => s.network)].map((n) => [n.id, n])).values()].filter((n) =>
    n.municipalities.some((m) => m.id === kommune),
  );
  if (networks.length === 0) return { kind: 'refused', message: t('steering.unknown_municipality', { municipality: kommune }) };
  const allowed = networks.filter(
    (n) => isOrganiserOf(me, n.id) || me.seats.some((s) => s.network.id === n.id && s.municipality.id === kommune && s.membership.roles.includes('prosjektleder')),
  );
  const name = networks[0]!.municipalities.find((m) => m.id === kommune)!.name;
  if (allowed.length === 0) return { kind: 'refused', message: t('steering.not_allowed', { municipality: name }) };
  const at = ctx.now().toISOString();
  for (const n of allowed) {
    await ctx.store.linkSteeringChannel({ network: n.id, municipality: kommune, platform: input.platform, channel: input.channel, linkedBy: me.email, at });
  }
  return { kind: 'linked', message: t('steering.linked', { municipality: name }), networks: allowed.map((n) => n.id) };
}
