/**
 * The inbound Bot Framework activity, as far as Samla reads it, validated with zod before
 * anything else looks at it; plus helpers that read Teams' `channelData` (tenant, team, channel)
 * and the text of a message with the bot's @mention removed.
 *
 * Unknown properties pass through untouched (the SDK reads its own); the parts Samla uses must
 * have the documented shape, or the request is answered 400 and nothing runs.
 */
import { z } from 'zod';

/** Conversation and activity ids are used in REST paths: no whitespace, "/", "?" or "#". */
const restId = z.string().regex(/^[^\s/?#]{1,1024}$/, 'not a valid id');

const account = z.looseObject({
  id: restId,
  name: z.string().max(512).optional(),
  aadObjectId: z.string().max(128).optional(),
  role: z.string().max(64).optional(),
});

const serviceUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const mention = z.looseObject({
  type: z.literal('mention'),
  text: z.string().max(1024).optional(),
  mentioned: z.looseObject({ id: z.string().max(1024), name: z.string().max(512).optional() }).optional(),
});

const entity = z.looseObject({ type: z.string().max(128) });

export const teamsChannelDataSchema = z.looseObject({
  tenant: z.looseObject({ id: z.string().max(128) }).optional(),
  team: z.looseObject({ id: restId, name: z.string().max(512).optional(), aadGroupId: z.string().max(128).optional() }).optional(),
  channel: z.looseObject({ id: restId, name: z.string().max(512).optional() }).optional(),
  eventType: z.string().max(128).optional(),
});

export const inboundActivitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(1024).optional(),
  channelId: z.string().min(1).max(64),
  serviceUrl,
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id: restId,
    conversationType: z.string().max(64).optional(),
    tenantId: z.string().max(128).optional(),
    isGroup: z.boolean().optional(),
    name: z.string().max(512).optional(),
  }),
  text: z.string().max(20_000).optional(),
  value: z.unknown().optional(),
  name: z.string().max(128).optional(),
  action: z.string().max(64).optional(),
  replyToId: restId.optional(),
  locale: z.string().max(64).optional(),
  entities: z.array(entity).max(100).optional(),
  membersAdded: z.array(account).max(1000).optional(),
  membersRemoved: z.array(account).max(1000).optional(),
  channelData: teamsChannelDataSchema.optional(),
});

export type InboundActivity = z.infer<typeof inboundActivitySchema>;

/** Where the activity happened. */
export type ConversationKind = 'personal' | 'channel' | 'groupChat';

export function conversationKind(a: InboundActivity): ConversationKind {
  const t = a.conversation.conversationType;
  if (t === 'personal' || t === 'channel' || t === 'groupChat') return t;
  if (a.channelData?.channel || a.channelData?.team) return 'channel';
  return a.conversation.isGroup ? 'groupChat' : 'personal';
}

/** The Microsoft Entra tenant of the conversation. */
export function tenantOf(a: InboundActivity): string | undefined {
  return a.channelData?.tenant?.id ?? a.conversation.tenantId;
}

/**
 * The channel a channel message came from: `channelData.channel.id`, else the conversation id
 * without the thread suffix (`19:…@thread.tacv2;messageid=…`).
 */
export function channelOf(a: InboundActivity): string {
  return a.channelData?.channel?.id ?? a.conversation.id.split(';')[0]!;
}

/** The team's id (its General channel's conversation id), when the activity comes from a team. */
export function teamOf(a: InboundActivity): string | undefined {
  return a.channelData?.team?.id;
}

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The text of a message as a command: the bot's @mention removed (the `mention` entities that
 * name the recipient, e.g. "<at>Samla</at>"), any remaining markup stripped, spaces collapsed.
 */
export function commandText(a: InboundActivity): string {
  let text = a.text ?? '';
  for (const e of a.entities ?? []) {
    const m = mention.safeParse(e);
    if (m.success && m.data.text && (!m.data.mentioned || m.data.mentioned.id === a.recipient.id)) {
      text = text.split(m.data.text).join(' ');
    }
  }
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the activity is a card's `Action.Submit`: a message with a `value` object and no text. */
export function isCardSubmit(a: InboundActivity): boolean {
  return a.type === 'message' && typeof a.value === 'object' && a.value !== null && !(a.text ?? '').trim();
}
