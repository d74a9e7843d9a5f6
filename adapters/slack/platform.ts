/**
 * Slack as the scheduler and the journeys see it (ChatPlatform): a DM to a person found by email
 * (users.lookupByEmail, cached → conversations.open → chat.postMessage), a message to a channel,
 * and an update in place (chat.update). Every failure is a DeliveryError that says whether
 * trying again can help (./deliveryErrors.ts); the WebClient itself never retries or waits.
 */
import type { webApi } from '@slack/bolt';
import type { Logger as Pino } from 'pino';
import type { MessageDraft } from '../../src/core/drafts.ts';
import type { ChatPlatform, IdentityStore, NetworkStore, SendContext, SentRef } from '../../src/core/ports.ts';
import type { RedisSlackInstallationStore } from '../redis/slackInstallations.ts';
import type { SlackConfig, SlackSettings } from './config.ts';
import { toDeliveryError } from './deliveryErrors.ts';
import { SlackIdentity } from './identity.ts';
import { boltLogger } from './logger.ts';
import { renderMessage } from './render.ts';
import { SingleWorkspace, slackTokens, WorkspaceRoutes, type SlackTokens } from './workspaces.ts';

export class SlackPlatform implements ChatPlatform {
  readonly platform = 'slack' as const;
  private readonly identity: SlackIdentity;
  private readonly tokens: SlackTokens;

  /**
   * @param client a WebClient with the bot token (see createWebClient), or the tokens of every
   *   workspace (./workspaces.ts) with `routes` saying which workspace a person is in.
   */
  constructor(
    client: webApi.WebClient | SlackTokens,
    identities: IdentityStore,
    private readonly routes?: WorkspaceRoutes,
  ) {
    this.tokens = 'clientFor' in client ? client : { mode: 'single', authorize: async () => ({}), clientFor: async () => client };
    this.identity = new SlackIdentity(identities);
  }

  /**
   * A SlackPlatform for the configured workspace (or, with the install flow configured, every
   * installed one: then `store` and `installations` are needed), logging through pino.
   */
  static create(config: SlackConfig, identities: IdentityStore, logger?: Pino, deps: { store?: NetworkStore; installations?: RedisSlackInstallationStore | undefined } = {}): SlackPlatform {
    const log = logger ? boltLogger(logger) : undefined;
    if (config.botToken) return new SlackPlatform(new SingleWorkspace(config.botToken, config, log), identities);
    return new SlackPlatform(slackTokens(config, deps, log), identities, deps.store ? new WorkspaceRoutes(deps.store) : undefined);
  }

  /** The workspace a message goes to and a client with its token (one workspace: always the same). */
  private async workspace(context: SendContext | undefined, email?: string): Promise<{ team?: string; client: webApi.WebClient }> {
    if (this.tokens.mode === 'single') return { client: await this.tokens.clientFor(undefined) };
    const team = context && this.routes ? await this.routes.teamFor(context.network, context.municipality, email ?? '') : undefined;
    return { ...(team ? { team } : {}), client: await this.tokens.clientFor(team) };
  }

  async sendToPerson(email: string, draft: MessageDraft, context?: SendContext): Promise<SentRef> {
    const { team, client } = await this.workspace(context, email);
    let user: string;
    try {
      user = await this.identity.userIdOf(client, email, team);
    } catch (err) {
      throw toDeliveryError(err, `Looking up ${email} in Slack`); // a Redis failure is transient too
    }
    let channel: string | undefined;
    try {
      const opened = await client.conversations.open({ users: user });
      channel = opened.channel?.id;
    } catch (err) {
      throw toDeliveryError(err, `Opening a DM with ${email}`);
    }
    if (!channel) throw toDeliveryError(new Error('conversations.open returned no channel'), `Opening a DM with ${email}`);
    return this.post(client, team, channel, draft, `Sending a DM to ${email}`);
  }

  async sendToChannel(channel: string, draft: MessageDraft, context?: SendContext): Promise<SentRef> {
    const { team, client } = await this.workspace(context);
    return this.post(client, team, channel, draft, `Posting to channel ${channel}`);
  }

  async update(ref: SentRef, draft: MessageDraft): Promise<void> {
    const client = await this.tokens.clientFor(ref.workspace);
    try {
      await client.chat.update({ channel: ref.conversation, ts: ref.message, ...renderMessage(draft) });
    } catch (err) {
      throw toDeliveryError(err, `Updating message ${ref.message} in ${ref.conversation}`);
    }
  }

  private async post(client: webApi.WebClient, team: string | undefined, channel: string, draft: MessageDraft, what: string): Promise<SentRef> {
    try {
      const r = await client.chat.postMessage({ channel, ...renderMessage(draft) });
      if (!r.ts) throw new Error('chat.postMessage returned no ts');
      return { platform: 'slack', conversation: r.channel ?? channel, message: r.ts, ...(team ? { workspace: team } : {}) };
    } catch (err) {
      throw toDeliveryError(err, what);
    }
  }
}

/**
 * The Slack platform for the scheduler's deliveries, or undefined when Slack is not configured.
 * Serving several workspaces, `store` and `installations` say where each person is and hold the
 * workspaces' tokens.
 */
export function slackPlatformFrom(deps: {
  slack: SlackSettings;
  identities: IdentityStore;
  logger?: Pino;
  store?: NetworkStore;
  installations?: RedisSlackInstallationStore | undefined;
}): SlackPlatform | undefined {
  const settings = deps.slack;
  return settings.enabled ? SlackPlatform.create(settings.config, deps.identities, deps.logger, deps) : undefined;
}
