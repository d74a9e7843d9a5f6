/**
 * `dashboard` typed in chat (`/samla dashboard` in Slack): an organiser gets a link to the
 * organisers' dashboard. Outside demo mode the link is signed for that person and works for a
 * few minutes; it is sent in a private chat only (in a Teams channel everyone would see it),
 * and never to anyone who organises no network.
 */
import { joinNames } from '../format.ts';
import type { JourneyContext, Me } from './context.ts';

export type { DashboardLink, DashboardLinks } from '../ports.ts';

export type DashboardReply = { kind: 'link'; message: string } | { kind: 'refused'; message: string };

/** @param place where the command was typed: a private chat, or somewhere others read along. */
export function dashboardCommand(ctx: JourneyContext, me: Me, place: 'private' | 'shared'): DashboardReply {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, `web.${key}`, vars);
  if (me.organiserOf.length === 0) return { kind: 'refused', message: t('chat_organisers_only') };
  if (place === 'shared') return { kind: 'refused', message: t('chat_private_only') };
  const link = ctx.dashboard?.linkFor(me.email);
  if (!link) return { kind: 'refused', message: t('chat_not_configured') };
  const networks = joinNames(
    me.organiserOf.map((n) => n.name),
    me.locale,
  );
  return link.minutes === undefined
    ? { kind: 'link', message: t('chat_local', { networks, url: link.url }) }
    : { kind: 'link', message: t('chat_link', { networks, url: link.url, minutes: link.minutes }) };
}
