/**
 * Teams as the scheduler and the journeys see it (ChatPlatform, src/core/ports.ts): proactive
 * messages to people and steering-group channels, and updates of messages sent before.
 *
 * - `sendToPerson(email)`: the person's stored reference (adapters/redis/teamsReferences.ts) gives their personal
 *   chat; when there is none yet but Samla has seen them in a team, the chat is opened first
 *   (`POST /v3/conversations`) and stored. Then `POST /v3/conversations/{chat}/activities`.
 * - `sendToChannel(channel)`: the channel's stored reference (captured on install, from any
 *   message there, or `link steering`), then `POST /v3/conversations/{channel}/activities`,
 *   which starts a new post in the channel.
 * - `update(ref)`: `PUT /v3/conversations/{conversation}/activities/{id}`.
 *
 * The Bot Connector client comes from the SDK's proactive path (`CloudAdapter.continueConversation`
 * with the app id the recipient's tenant knows Samla by, or anonymously), so outbound calls carry
 * that app registration's token, from its home tenant. A reference in a tenant Samla no longer
 * serves is not used.
 * Every failure is a DeliveryError (./connector.ts): permanent ones (403 BotNotInConversationRoster,
 * 404, no reference) are not retried; transient ones (429 with Retry-After, 5xx, network) are.
 * Someone who cannot be reached is recorded as unreachable in each of their networks.
 */
import { Activity } from '@microsoft/agents-activity';
import type { CloudAdapter, ConnectorClient } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import type { MessageDraft } from '../../src/core/drafts.ts';
import { DeliveryError, type ChatPlatform, type NetworkStore, type SentRef } from '../../src/core/ports.ts';
import { cardAttachment, messageCard } from './cards.ts';
import { type TeamsAuth, sendingAppId } from './config.ts';
import { createPersonalConversation, isNotInRoster, toDeliveryError } from './connector.ts';
import type { TeamsReferenceStore } from '../redis/teamsReferences.ts';
import type { TenantGate } from './tenants.ts';

export interface TeamsPlatformDeps {
  adapter: CloudAdapter;
  auth: TeamsAuth;
  refs: TeamsReferenceStore;
  tenants: TenantGate;
  store: NetworkStore;
  logger: Logger;
  now: () => Date;
}

/** Ids used in REST paths must not carry "/", "?", "#" or whitespace. */
const REST_ID = /^[^\s/?#]{1,1024}$/;

/** The outbound activity for a draft: one Adaptive Card, with the fallback as notification summary. */
export function draftActivity(draft: MessageDraft): Activity {
  return Activity.fromObject({
    type: 'message',
    channelId: 'msteams',
    summary: draft.fallback,
    attachments: [cardAttachment(messageCard(draft))],
  });
}

export class TeamsPlatform implements ChatPlatform {
  readonly platform = 'teams' as const;

  constructor(private readonly deps: TeamsPlatformDeps) {}

  /**
   * A Bot Connector client for a conversation's serviceUrl, from the SDK's proactive path.
   * `conversationId` is only used to build the continuation; nothing is sent by this call.
   */
  private async client(serviceUrl: string, conversationId: string, botId?: string): Promise<ConnectorClient> {
    const { adapter } = this.deps;
    // Signed by the app registration that tenant uses (the bot id it knows Samla by), else the main one.
    const identity: Parameters<CloudAdapter['continueConversation']>[0] = this.deps.auth.mode === 'authenticated' ? sendingAppId(this.deps.auth, botId) : {};
    let client: ConnectorClient | undefined;
    let failure: unknown;
    try {
      await adapter.continueConversation(
        identity,
        { channelId: 'msteams', serviceUrl, conversation: { id: conversationId }, ...(botId ? { agent: { id: botId } } : {}) },
        async (context) => {
          try {
            client = context.turnState.get<ConnectorClient>(adapter.ConnectorClientKey);
          } catch (err) {
            failure = err;
          }
        },
      );
    } catch (err) {
      failure = err;
    }
    if (!client) throw toDeliveryError(failure ?? new Error('no Bot Connector client'), 'Connecting to Teams');
    return client;
  }

  async sendToPerson(email: string, draft: MessageDraft): Promise<SentRef> {
    // Only a reference in the person's municipality's tenant (when it names one), in a tenant Samla still serves.
    const found = await this.deps.refs.person(email, await this.deps.tenants.tenantsOf(email));
    const ref = found && (await this.deps.tenants.serves(found.tenantId)) ? found : undefined;
    if (!ref) {
      await this.unreachable(email, 'no_reference', 'Samla has never seen this person in Teams.');
      throw new DeliveryError(
        `Samla cannot reach ${email} in Teams: they have not written to Samla and are not in a team where Samla is installed.`,
        true,
        'teams_no_reference',
      );
    }
    let conversationId = ref.conversationId;
    if (!conversationId) {
      if (!ref.botId) throw new DeliveryError(`Samla cannot open a chat with ${email}: the bot id is unknown.`, true, 'teams_no_reference');
      try {
        const client = await this.client(ref.serviceUrl, ref.via ?? ref.userId, ref.botId);
        conversationId = await createPersonalConversation(client, { botId: ref.botId, userId: ref.userId, ...(ref.tenantId ? { tenantId: ref.tenantId } : {}) });
      } catch (err) {
        throw await this.failed(email, err, 'Opening a personal chat');
      }
      await this.deps.refs.savePerson({ ...ref, conversationId, at: this.deps.now().toISOString() });
      await this.deps.refs.saveConversation({
        conversationId,
        serviceUrl: ref.serviceUrl,
        kind: 'personal',
        ...(ref.tenantId ? { tenantId: ref.tenantId } : {}),
        botId: ref.botId,
        at: this.deps.now().toISOString(),
      });
    }
    try {
      const id = await this.post(ref.serviceUrl, conversationId, draft, ref.botId);
      return { platform: 'teams', conversation: conversationId, message: id };
    } catch (err) {
      throw await this.failed(email, err, `Sending to ${email}`);
    }
  }

  async sendToChannel(channel: string, draft: MessageDraft): Promise<SentRef> {
    const found = REST_ID.test(channel) ? await this.deps.refs.conversation(channel) : undefined;
    const ref = found && (await this.deps.tenants.serves(found.tenantId)) ? found : undefined;
    if (!ref) {
      throw new DeliveryError(
        `Samla knows no Teams channel "${channel}": install Samla in the team, then type "@Samla link steering <kommunenummer>" in the channel.`,
        true,
        'teams_channel_unknown',
      );
    }
    try {
      const id = await this.post(ref.serviceUrl, channel, draft, ref.botId);
      return { platform: 'teams', conversation: channel, message: id };
    } catch (err) {
      throw toDeliveryError(err, `Sending to the Teams channel ${channel}`);
    }
  }

  async update(sent: SentRef, draft: MessageDraft): Promise<void> {
    const ref = REST_ID.test(sent.conversation) && REST_ID.test(sent.message) ? await this.deps.refs.conversation(sent.conversation) : undefined;
    if (!ref) throw new DeliveryError(`Samla knows no Teams conversation "${sent.conversation}" to update a message in.`, true, 'teams_conversation_unknown');
    try {
      const client = await this.client(ref.serviceUrl, sent.conversation, ref.botId);
      const activity = draftActivity(draft);
      activity.id = sent.message;
      await client.updateActivity(sent.conversation, sent.message, activity);
    } catch (err) {
      throw toDeliveryError(err, `Updating a message in ${sent.conversation}`);
    }
  }

  /** `POST /v3/conversations/{id}/activities`; returns the new activity's id. */
  private async post(serviceUrl: string, conversationId: string, draft: MessageDraft, botId?: string): Promise<string> {
    const client = await this.client(serviceUrl, conversationId, botId);
    const activity = draftActivity(draft);
    activity.conversation = { id: conversationId };
    activity.serviceUrl = serviceUrl;
    if (botId) activity.from = { id: botId };
    const res = await client.sendToConversation(conversationId, activity);
    return res?.id ?? '';
  }

  /** Maps a failure to a DeliveryError, recording the person as unreachable when it is permanent. */
  private async failed(email: string, err: unknown, what: string): Promise<DeliveryError> {
    const failure = toDeliveryError(err, what);
    if (failure.permanent) {
      await this.unreachable(email, isNotInRoster(err) ? 'bot_not_in_roster' : 'delivery_failed', failure.message).catch((e: unknown) =>
        this.deps.logger.error({ err: e, email }, 'Recording an unreachable person failed'),
      );
    }
    return failure;
  }

  private async unreachable(email: string, reason: 'no_reference' | 'bot_not_in_roster' | 'delivery_failed', detail: string): Promise<void> {
    const networks = await this.deps.store.networksOf(email);
    const person = networks.length ? await this.deps.store.getPerson(networks[0]!, email) : undefined;
    await this.deps.store.markUnreachable(networks, {
      email,
      ...(person ? { name: person.name } : {}),
      platform: 'teams',
      reason,
      detail,
      at: this.deps.now().toISOString(),
    });
    this.deps.logger.warn({ email, reason }, 'Samla cannot reach a person in Teams; recorded as unreachable');
  }
}
