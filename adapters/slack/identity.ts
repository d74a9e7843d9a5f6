/**
 * Who a Slack user is, by email. A Slack user id is resolved to an email with `users.info`
 * (scope users:read.email), an email to a Slack user id with `users.lookupByEmail`; both
 * directions are cached in Redis (IdentityStore), so a click normally costs no Slack call.
 *
 * Someone Samla does not know (no email, or an email in no network) gets a friendly answer that
 * names the organisers to contact (`errors.unknown_person`).
 */
import type { webApi } from '@slack/bolt';
import { SamlaError } from '../../src/core/errors.ts';
import type { Logger } from 'pino';
import { organisersText, whoAmI, type JourneyContext, type Me } from '../../src/core/journeys/context.ts';
import type { Locale, NetworkDefinition } from '../../src/core/model.ts';
import type { IdentityStore } from '../../src/core/ports.ts';
import { isSlackError, toDeliveryError } from './deliveryErrors.ts';

export type SlackPerson = { kind: 'known'; me: Me; userId: string } | { kind: 'unknown'; locale: Locale; message: string; userId: string };

interface UsersInfo {
  user?: { deleted?: boolean; is_bot?: boolean; locale?: string; profile?: { email?: string } };
}

/** Slack's user locale ("nb-NO", "en-GB") as one of Samla's; undefined when it is neither. */
export function localeOfSlack(slackLocale: string | undefined): Locale | undefined {
  const lang = slackLocale?.toLowerCase().split(/[-_]/)[0];
  if (lang === 'nb' || lang === 'no') return 'nb';
  if (lang === 'nn') return 'nn';
  if (lang === 'en') return 'en';
  return undefined;
}

export class SlackIdentity {
  constructor(
    private readonly identities: IdentityStore,
    private readonly logger?: Logger,
  ) {}

  /**
   * The email of a Slack user: from the cache, else from `users.info` (then cached). Undefined
   * for bots, deactivated users and users without a visible email.
   */
  async emailOf(client: webApi.WebClient, userId: string): Promise<{ email?: string; locale?: Locale }> {
    const cached = await this.identities.emailOf('slack', userId);
    if (cached) return { email: cached };
    let info: UsersInfo;
    try {
      info = (await client.users.info({ user: userId, include_locale: true })) as UsersInfo;
    } catch (err) {
      if (isSlackError(err, 'user_not_found')) return {};
      if (isSlackError(err, 'missing_scope')) this.logger?.error('Slack users.info needs the users:read and users:read.email scopes (see manifest.slack.yml)');
      throw err;
    }
    const locale = localeOfSlack(info.user?.locale);
    const email = info.user?.profile?.email;
    if (!email || info.user?.deleted || info.user?.is_bot) return locale ? { locale } : {};
    await this.identities.remember('slack', userId, email);
    return { email, ...(locale ? { locale } : {}) };
  }

  /**
   * The Slack user id for an email: from the cache, else from `users.lookupByEmail` (then
   * cached). Throws a permanent DeliveryError `users_not_found` when Slack has no such user.
   */
  async userIdOf(client: webApi.WebClient, email: string): Promise<string> {
    const cached = await this.identities.userIdOf('slack', email);
    if (cached) return cached;
    let found: { user?: { id?: string } };
    try {
      found = await client.users.lookupByEmail({ email });
    } catch (err) {
      throw toDeliveryError(err, `Looking up ${email} in Slack`);
    }
    const id = found.user?.id;
    if (!id) throw toDeliveryError(new Error('users.lookupByEmail returned no user id'), `Looking up ${email} in Slack`);
    await this.identities.remember('slack', id, email);
    return id;
  }

  /**
   * The person behind a Slack user id, or the answer for someone Samla does not know. When Redis
   * (or Slack) fails on the way, throws IdentityUnavailable with the person's language as best
   * known (see `fallbackLocale`), so they are told "nothing was saved" in their language.
   */
  async resolve(ctx: JourneyContext, client: webApi.WebClient, userId: string): Promise<SlackPerson> {
    try {
      const { email, locale } = await this.emailOf(client, userId);
      const me = email ? await whoAmI(ctx, email) : undefined;
      if (me) {
        this.rememberLocale(userId, me.locale);
        return { kind: 'known', me, userId };
      }
      const lang = locale ?? 'nb';
      return { kind: 'unknown', locale: lang, message: await unknownPersonText(ctx, lang), userId };
    } catch (err) {
      throw new IdentityUnavailable(await this.fallbackLocale(client, userId), err);
    }
  }

  /** Languages of people seen lately, by Slack user id (kept in memory, at most RECENT_LOCALES). */
  private readonly recentLocales = new Map<string, Locale>();

  private rememberLocale(userId: string, locale: Locale): void {
    this.recentLocales.delete(userId);
    this.recentLocales.set(userId, locale);
    if (this.recentLocales.size > RECENT_LOCALES) this.recentLocales.delete(this.recentLocales.keys().next().value!);
  }

  /**
   * The person's language without Redis: the one Samla last saw them with in this process, else
   * their Slack locale (users.info), else bokmål.
   */
  async fallbackLocale(client: webApi.WebClient, userId: string): Promise<Locale> {
    const seen = this.recentLocales.get(userId);
    if (seen) return seen;
    try {
      const info = (await client.users.info({ user: userId, include_locale: true })) as UsersInfo;
      return localeOfSlack(info.user?.locale) ?? 'nb';
    } catch {
      return 'nb';
    }
  }
}

/** How many people's languages SlackIdentity keeps in memory for answering while Redis is down. */
const RECENT_LOCALES = 10_000;

/** Finding out who is writing failed (Redis or Slack down); `locale` is their language as best known. */
export class IdentityUnavailable extends SamlaError {
  constructor(
    readonly locale: Locale,
    cause: unknown,
  ) {
    super('UNAVAILABLE', `Could not find out who is writing: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** "I do not know you yet; contact the organisers: …", naming the organisers of every network. */
export async function unknownPersonText(ctx: JourneyContext, locale: Locale): Promise<string> {
  const summaries = await ctx.store.listNetworks();
  const defs = (await Promise.all(summaries.map((s) => ctx.store.getNetwork(s.id)))).filter((d): d is NetworkDefinition => d !== undefined);
  const organisers = organisersText(defs, locale);
  return organisers ? ctx.texts.t(locale, 'errors.unknown_person', { organisers }) : ctx.texts.t(locale, 'slack.unknown_no_network');
}
