/**
 * Slack's side of identity: a Slack user id to the email on their profile (`users.info`, scope
 * users:read.email), for the core's identity resolver (src/core/dispatch/identity.ts), which
 * caches it; and an email to a Slack user id (`users.lookupByEmail`) for sending, cached in
 * Redis (IdentityStore) both ways, so a click or a DM normally costs no Slack call.
 */
import type { webApi } from '@slack/bolt';
import { localeFromTag } from '../../src/core/dispatch/identity.ts';
import type { Locale } from '../../src/core/model.ts';
import type { IdentityStore } from '../../src/core/ports.ts';
import type { Logger } from 'pino';
import { isSlackError, toDeliveryError } from './deliveryErrors.ts';

interface UsersInfo {
  user?: { deleted?: boolean; is_bot?: boolean; locale?: string; profile?: { email?: string } };
}

export class SlackIdentity {
  constructor(
    private readonly identities: IdentityStore,
    private readonly logger?: Logger,
  ) {}

  /**
   * What Slack knows of a user: their profile email (none for bots, deactivated users and users
   * without a visible email) and their language. Undefined when Slack has no such user.
   */
  async lookup(client: webApi.WebClient, userId: string): Promise<{ emails: string[]; locale?: Locale; authoritative: boolean } | undefined> {
    let info: UsersInfo;
    try {
      info = (await client.users.info({ user: userId, include_locale: true })) as UsersInfo;
    } catch (err) {
      if (isSlackError(err, 'user_not_found')) return undefined;
      if (isSlackError(err, 'missing_scope')) this.logger?.error('Slack users.info needs the users:read and users:read.email scopes (see manifest.slack.yml)');
      throw err;
    }
    const locale = localeFromTag(info.user?.locale);
    const email = info.user?.profile?.email;
    const usable = email && !info.user?.deleted && !info.user?.is_bot;
    return { emails: usable ? [email] : [], authoritative: true, ...(locale ? { locale } : {}) };
  }

  /**
   * The Slack user id for an email: from the cache, else from `users.lookupByEmail` (then
   * cached). Throws a permanent DeliveryError `users_not_found` when Slack has no such user.
   * With `team` (Samla serving several workspaces), the person is looked up in that workspace
   * and cached as `T…:U…`; an id cached for another workspace is not used.
   */
  async userIdOf(client: webApi.WebClient, email: string, team?: string): Promise<string> {
    const cached = await this.identities.userIdOf('slack', email);
    if (cached && !team && !cached.includes(':')) return cached;
    if (cached && team && cached.startsWith(`${team}:`)) return cached.slice(team.length + 1);
    let found: { user?: { id?: string } };
    try {
      found = await client.users.lookupByEmail({ email });
    } catch (err) {
      throw toDeliveryError(err, `Looking up ${email} in Slack${team ? ` workspace ${team}` : ''}`);
    }
    const id = found.user?.id;
    if (!id) throw toDeliveryError(new Error('users.lookupByEmail returned no user id'), `Looking up ${email} in Slack`);
    await this.identities.remember('slack', slackUserKey(team, id), email);
    return id;
  }
}

/** How a Slack user is known in the identity cache: the user id, or `T…:U…` when Samla serves several workspaces. */
export function slackUserKey(team: string | undefined, userId: string): string {
  return team ? `${team}:${userId}` : userId;
}
