/**
 * The Bot Connector REST calls Samla makes beyond sending and updating activities (which go
 * through the SDK's TurnContext), and the one place Bot Connector failures become DeliveryErrors.
 *
 * | call                                             | how                                           |
 * |--------------------------------------------------|-----------------------------------------------|
 * | `GET /v3/conversations/{id}/pagedmembers`        | the ConnectorClient's HttpClient: the SDK 1.8 core has no paged-members call |
 * | `GET /v3/conversations/{id}/members/{userId}`    | `ConnectorClient.getConversationMember`       |
 * | `POST /v3/conversations` (a personal chat)       | the ConnectorClient's HttpClient, so the body carries `bot` as the REST API documents (the SDK's `createConversation` sends its own `agent` name) |
 *
 * Failures map to DeliveryError (src/core/ports.ts): permanent for 403 (`BotNotInConversationRoster`,
 * `BotDisabledByAdmin`), 404 (conversation or member not found), 401 and other 4xx; transient for
 * 429 (honouring `Retry-After`), 5xx and network errors.
 */
import { type ConnectorClient, HttpError } from '@microsoft/agents-hosting';
import { z } from 'zod';
import { DeliveryError } from '../../src/core/ports.ts';

/** A member of a Teams conversation as the roster calls return it (TeamsChannelAccount). */
export const teamsMemberSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  email: z.string().optional(),
  userPrincipalName: z.string().optional(),
  tenantId: z.string().optional(),
  userRole: z.string().optional(),
});
export type TeamsMember = z.infer<typeof teamsMemberSchema>;

const pagedMembersSchema = z.looseObject({
  members: z.array(z.unknown()).default([]),
  continuationToken: z.string().nullish(),
});

const conversationResourceSchema = z.looseObject({ id: z.string().min(1) });

/** At most this many roster pages are read (500 members each): a guard against a looping token. */
const MAX_PAGES = 200;

/**
 * Every member of a team or chat, page by page. Entries that do not have a member's shape are
 * skipped (counted in `skipped`), not fatal.
 */
export async function readRoster(client: ConnectorClient, conversationId: string, pageSize = 500): Promise<{ members: TeamsMember[]; skipped: number }> {
  const members: TeamsMember[] = [];
  let skipped = 0;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.httpClient.request({
      method: 'get',
      url: `/v3/conversations/${conversationId}/pagedmembers`,
      params: { pageSize: String(pageSize), ...(token ? { continuationToken: token } : {}) },
    });
    const body = pagedMembersSchema.safeParse(res.data);
    if (!body.success) throw new DeliveryError('The Bot Connector answered pagedmembers with an unexpected body.', false, 'teams_bad_response');
    for (const m of body.data.members) {
      const parsed = teamsMemberSchema.safeParse(m);
      if (parsed.success) members.push(parsed.data);
      else skipped++;
    }
    token = body.data.continuationToken ?? undefined;
    if (!token) break;
  }
  return { members, skipped };
}

/** One member of a conversation (with email and UPN), or undefined when Teams does not know them there. */
export async function readMember(client: ConnectorClient, conversationId: string, userId: string): Promise<TeamsMember | undefined> {
  try {
    const parsed = teamsMemberSchema.safeParse(await client.getConversationMember(userId, conversationId));
    return parsed.success ? parsed.data : undefined;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return undefined;
    throw err;
  }
}

/**
 * Opens (or finds: Teams returns the existing one) the personal chat between the bot and a
 * user, and returns its conversation id.
 */
export async function createPersonalConversation(
  client: ConnectorClient,
  input: { botId: string; userId: string; tenantId?: string },
): Promise<string> {
  const res = await client.httpClient.request({
    method: 'post',
    url: '/v3/conversations',
    data: {
      bot: { id: input.botId },
      members: [{ id: input.userId }],
      isGroup: false,
      ...(input.tenantId ? { tenantId: input.tenantId, channelData: { tenant: { id: input.tenantId } } } : {}),
    },
  });
  const body = conversationResourceSchema.safeParse(res.data);
  if (!body.success) throw new DeliveryError('The Bot Connector created a conversation but returned no id.', false, 'teams_bad_response');
  return body.data.id;
}

/** The Bot Connector's error body: `{ "error": { "code": "...", "message": "..." } }`. */
const errorBodySchema = z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) });

/** The error code in a Bot Connector error response ("BotNotInConversationRoster"), if any. */
export function errorCodeOf(err: unknown): string | undefined {
  if (!(err instanceof HttpError)) return undefined;
  const parsed = errorBodySchema.safeParse(err.response.data);
  return parsed.success ? parsed.data.error.code : undefined;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or bad. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** True for the 403 that says the bot was removed from (or never added to) the conversation. */
export function isNotInRoster(err: unknown): boolean {
  return err instanceof HttpError && err.status === 403 && errorCodeOf(err) === 'BotNotInConversationRoster';
}

/** Turns any failure of a Bot Connector call into a DeliveryError that says whether to retry. */
export function toDeliveryError(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof HttpError) {
    const code = errorCodeOf(err);
    const said = `${err.status}${code ? ` ${code}` : ''}`;
    const status = err.status;
    if (status === 403 && code === 'BotNotInConversationRoster') {
      return new DeliveryError(`${what}: Samla is not in this conversation any more (${said}); the person must open a chat with Samla or be in a team where it is installed.`, true, 'teams_bot_not_in_roster', undefined, { cause: err });
    }
    if (status === 403) return new DeliveryError(`${what}: Teams refused (${said}); a tenant admin may have blocked Samla.`, true, 'teams_forbidden', undefined, { cause: err });
    if (status === 404) return new DeliveryError(`${what}: the conversation or message was not found (${said}).`, true, 'teams_not_found', undefined, { cause: err });
    if (status === 429) {
      return new DeliveryError(`${what}: Teams is throttling Samla (${said}).`, false, 'teams_throttled', retryAfterMs(err.response.headers?.get?.('retry-after')), { cause: err });
    }
    if (status >= 500) return new DeliveryError(`${what}: the Bot Connector failed (${said}); trying again may help.`, false, 'teams_unavailable', retryAfterMs(err.response.headers?.get?.('retry-after')), { cause: err });
    if (status === 401) return new DeliveryError(`${what}: the Bot Connector did not accept Samla's credentials (${said}); check TEAMS_APP_ID and TEAMS_APP_PASSWORD.`, true, 'teams_unauthorized', undefined, { cause: err });
    return new DeliveryError(`${what}: the Bot Connector refused the request (${said}).`, true, 'teams_rejected', undefined, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DeliveryError(`${what}: ${message}; trying again may help.`, false, 'teams_network', undefined, { cause: err });
}
