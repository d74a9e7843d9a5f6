/**
 * The organisers' digest on demand: `/samla digest` in Slack, `digest` in Teams and
 * `samla digest <network>` on the command line all come through `readDigest`, which asks
 * src/core/access.ts first. Organisers see their own networks' digests; anyone else is told why
 * not; the operator at the command line sees any network. An on-demand digest compares with the
 * last digest that was sent (what is new, what was resolved) and saves nothing.
 */
import { canSeeDigest, isOperator, type Reader } from '../access.ts';
import type { DraftBlock, MessageDraft } from '../drafts.ts';
import { notFound } from '../errors.ts';
import { formatDay } from '../format.ts';
import { digestMessage } from '../lagging/digest.ts';
import { currentDigest, type CurrentDigest } from '../lagging/records.ts';
import type { NetworkDefinition } from '../model.ts';
import { JourneyRefusal, type JourneyContext, type Me } from './context.ts';

export interface DigestRead extends CurrentDigest {
  def: NetworkDefinition;
}

/**
 * The digest of one network as of the context's clock, for someone allowed to see it. Throws
 * JourneyRefusal with the reason when the reader may not; NOT_FOUND (for the operator) when there
 * is no such network.
 */
export async function readDigest(ctx: JourneyContext, who: Reader, networkId: string): Promise<DigestRead> {
  const access = canSeeDigest(ctx.texts, who, networkId);
  if (!access.allowed) throw new JourneyRefusal(access.reason);
  const def = isOperator(who) ? await ctx.store.getNetwork(networkId) : who.organiserOf.find((n) => n.id === networkId);
  if (!def) {
    const known = (await ctx.store.listNetworks()).map((n) => n.id);
    throw notFound(`There is no network "${networkId}". ${known.length ? `Known networks: ${known.join(', ')}.` : 'Load one with: samla network import <file>'}`);
  }
  return { def, ...(await currentDigest(ctx.store, def, ctx.now())) };
}

export type DigestReply = { kind: 'digest'; message: MessageDraft; networks: string[] } | { kind: 'refused'; message: string };

/**
 * `digest [network]` typed in chat: the digest of the named network, or of every network the
 * person organises, in their language. Refused, with the reason, for everyone else.
 */
export async function digestCommand(ctx: JourneyContext, me: Me, args: string): Promise<DigestReply> {
  const wanted = args.trim().split(/\s+/)[0] ?? '';
  const ids = wanted ? [me.organiserOf.find((n) => n.id.toLowerCase() === wanted.toLowerCase())?.id ?? wanted] : me.organiserOf.map((n) => n.id);
  if (ids.length === 0) {
    const access = canSeeDigest(ctx.texts, me, '');
    return { kind: 'refused', message: access.allowed ? '' : access.reason };
  }
  const parts: MessageDraft[] = [];
  for (const id of ids) {
    try {
      const read = await readDigest(ctx, me, id);
      const message = digestMessage(ctx.texts, me.locale, read.def, read.digest);
      const since = read.previous
        ? ctx.texts.t(me.locale, 'lagging.on_demand', { date: formatDay(new Date(read.previous.at), read.def.timezone, me.locale) })
        : ctx.texts.t(me.locale, 'lagging.on_demand_first');
      parts.push({ ...message, blocks: [...message.blocks.slice(0, 1), { type: 'context', text: since }, ...message.blocks.slice(1)] });
    } catch (err) {
      if (err instanceof JourneyRefusal) return { kind: 'refused', message: err.userMessage };
      throw err;
    }
  }
  const blocks: DraftBlock[] = parts.flatMap((p, i) => (i === 0 ? p.blocks : [{ type: 'divider' as const }, ...p.blocks]));
  return { kind: 'digest', message: { fallback: parts.map((p) => p.fallback).join(' · '), blocks }, networks: ids };
}
