/**
 * Slack as the scheduler and the journeys see it (ChatPlatform): a DM to a person found by email
 * (users.lookupByEmail, cached → conversations.open → chat.postMessage), a message to a channel,
 * and an update in place (chat.update). Every failure is a DeliveryError that says whether
 * trying again can help (./deliveryErrors.ts); the WebClient itself never retries or waits.
 */
import type { webApi } from '@slack/bolt';
import type { Logger as Pino } from 'pino';
import type { MessageDraft } from '../../src/core/drafts.ts';
import type { ChatPlatform, IdentityStore, SentRef } from '../../src/core/ports.ts';
import { createWebClient } from './client.ts';
import type { SlackConfig, SlackSettings } from './config.ts';
import { toDeliveryError } from './deliveryErrors.ts';
import { SlackIdentity } from './identity.ts';
import { boltLogger } from './logger.ts';
import { renderMessage } from './render.ts';

export class SlackPlatform implements ChatPlatform {
  readonly platform = 'slack' as const;
  private readonly identity: SlackIdentity;

  /** @param client a WebClient with the bot token (see createWebClient). */
  constructor(
    private readonly client: webApi.WebClient,
    identities: IdentityStore,
  ) {
    this.identity = new SlackIdentity(identities);
  }

  /** A SlackPlatform with its own WebClient for the configured workspace, logging through pino. */
  static create(config: SlackConfig, identities: IdentityStore, logger?: Pino): SlackPlatform {
    return new SlackPlatform(createWebClient(config, logger ? boltLogger(logger) : undefined), identities);
  }

  async sendToPerson(email: string, draft: MessageDraft): Promise<SentRef> {
    let user: string;
    try {
      user = await this.identity.userIdOf(this.client, email);
    } catch (err) {
      throw toDeliveryError(err, `Looking up ${email} in Slack`); // a Redis failure is transient too
    }
    let channel: string | undefined;
    try {
      const opened = await this.client.conversations.open({ users: user });
      channel = opened.channel?.id;
    } catch (err) {
      throw toDeliveryError(err, `Opening a DM with ${email}`);
    }
    if (!channel) throw toDeliveryError(new Error('conversations.open returned no channel'), `Opening a DM with ${email}`);
    return this.post(channel, draft, `Sending a DM to ${email}`);
  }

  sendToChannel(channel: string, draft: MessageDraft): Promise<SentRef> {
    return this.post(channel, draft, `Posting to channel ${channel}`);
  }

  async update(ref: SentRef, draft: MessageDraft): Promise<void> {
    try {
      await this.client.chat.update({ channel: ref.conversation, ts: ref.message, ...renderMessage(draft) });
    } catch (err) {
      throw toDeliveryError(err, `Updating message ${ref.message} in ${ref.conversation}`);
    }
  }

  private async post(channel: string, draft: MessageDraft, what: string): Promise<SentRef> {
    try {
      const r = await this.client.chat.postMessage({ channel, ...renderMessage(draft) });
      if (!r.ts) throw new Error('chat.postMessage returned no ts');
      return { platform: 'slack', conversation: r.channel ?? channel, message: r.ts };
    } catch (err) {
      throw toDeliveryError(err, what);
    }
  }
}

/**
 * The Slack platform for the scheduler's deliveries, or undefined when Slack is not configured
 * (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN unset).
 */
export function slackPlatformFrom(deps: { slack: SlackSettings; identities: IdentityStore; logger?: Pino }): SlackPlatform | undefined {
  const settings = deps.slack;
  return settings.enabled ? SlackPlatform.create(settings.config, deps.identities, deps.logger) : undefined;
}
