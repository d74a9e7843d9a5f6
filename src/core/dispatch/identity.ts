/**
 * Who is writing, for every platform: one resolver, one "I don't know you" answer, one locale
 * parser.
 *
 * A platform user id is looked up in the identity cache (IdentityStore, by platform). On a miss
 * the platform's directory is asked (Slack `users.info`; Teams the conversation's member) for
 * the emails it knows the user by; the first one a network knows is the person, and is cached.
 * Candidates no network knows are not cached, so adding them to a network file is enough; a
 * platform's authoritative email (Slack's profile email) is cached all the same, since it says
 * who the user is whichever network names them later. A platform may refuse an email for this
 * user (`accepts`: Teams, the person's tenant): that person is someone else, even when cached.
 *
 * Who the person is (`Me`: networks, municipalities, roles) is kept in memory by email while the
 * store's generation stays the same (NetworkStore.generation, bumped by every import and forget
 * in any process) and for at most ME_MAX_AGE_MS. The generation is read together with the
 * identity cache, in the same round trip, so a click by someone seen lately needs no further
 * read to know who they are.
 */
import { SamlaError } from '../errors.ts';
import { organisersText, whoAmI, type JourneyContext, type Me } from '../journeys/context.ts';
import type { Locale, NetworkDefinition, Platform } from '../model.ts';
import { normaliseEmail } from '../people.ts';
import type { IdentityStore } from '../ports.ts';
import type { PlatformDirectory } from './intent.ts';

/** A platform's language tag ("nb-NO", "no", "nn", "en-GB") as one of Samla's; undefined for any other. */
export function localeFromTag(tag: string | undefined): Locale | undefined {
  const lang = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (lang === 'nb' || lang === 'no') return 'nb';
  if (lang === 'nn') return 'nn';
  if (lang === 'en') return 'en';
  return undefined;
}

export type Identified = { kind: 'known'; me: Me } | { kind: 'unknown'; locale: Locale; message: string };

/** Finding out who is writing failed (Redis or the platform down); `locale` is their language as best known. */
export class IdentityUnavailable extends SamlaError {
  constructor(
    readonly locale: Locale,
    cause: unknown,
  ) {
    super('UNAVAILABLE', `Could not find out who is writing: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** How many people's languages the resolver keeps in memory, for answering while Redis is down. */
const RECENT_LOCALES = 10_000;
/** How many people's `Me` the resolver keeps in memory (an LRU). */
const CACHED_PEOPLE = 10_000;
/**
 * The longest a cached `Me` is used while the generation stays the same: the bound on staleness
 * should an import stop between writing the network and bumping the generation.
 */
export const ME_MAX_AGE_MS = 60_000;

export class IdentityResolver {
  /** Languages of people seen lately, by platform and user key. */
  private readonly recent = new Map<string, Locale>();
  /** Who people are, by email, with the generation it was read at (see the module comment). */
  private readonly people = new Map<string, { generation: string; at: number; me: Me }>();
  /** Lookups in flight, by generation and email. */
  private readonly looking = new Map<string, Promise<Me | undefined>>();

  constructor(
    private readonly ctx: JourneyContext,
    private readonly identities: IdentityStore,
  ) {}

  /**
   * The person behind a platform user, or the answer for someone Samla does not know. Throws
   * IdentityUnavailable (with their language as best known) when Redis or the platform fails.
   */
  async identify(platform: Platform, user: { id: string; key?: string }, directory: PlatformDirectory, localeTag?: string): Promise<Identified> {
    const key = user.key ?? user.id;
    const hinted = localeFromTag(localeTag);
    let platformLocale: Locale | undefined;
    try {
      // Sent together: one round trip.
      const [cached, generation] = await Promise.all([this.identities.emailOf(platform, key), this.ctx.store.generation()]);
      let email = cached;
      if (email && directory.accepts && !(await directory.accepts(email))) email = undefined;
      if (!email) {
        const found = await directory.lookup();
        platformLocale = found?.locale;
        email = found ? await this.match(platform, found.key ?? key, found.emails, found.authoritative ?? false, directory) : undefined;
      }
      const me = email ? await this.whoIs(email, generation) : undefined;
      if (me) {
        this.remember(`${platform}:${key}`, me.locale);
        return { kind: 'known', me };
      }
      const locale = platformLocale ?? hinted ?? 'nb';
      return { kind: 'unknown', locale, message: await this.unknownPersonText(locale) };
    } catch (err) {
      throw new IdentityUnavailable(await this.fallbackLocale(`${platform}:${key}`, directory, platformLocale ?? hinted), err);
    }
  }

  /** `Me` for an email: from memory while `generation` is the one it was read at, else looked up. */
  private async whoIs(email: string, generation: string): Promise<Me | undefined> {
    const e = normaliseEmail(email);
    const hit = this.people.get(e);
    const now = performance.now();
    if (hit && hit.generation === generation && now - hit.at < ME_MAX_AGE_MS) return hit.me;
    // Concurrent clicks of one person share one lookup.
    const key = `${generation}|${e}`;
    let pending = this.looking.get(key);
    if (!pending) {
      pending = whoAmI(this.ctx, e).finally(() => this.looking.delete(key));
      this.looking.set(key, pending);
    }
    const me = await pending;
    this.people.delete(e);
    if (me) {
      this.people.set(e, { generation, at: now, me });
      if (this.people.size > CACHED_PEOPLE) this.people.delete(this.people.keys().next().value!);
    }
    return me;
  }

  /** The email to know this user by: the first a network knows, cached. */
  private async match(platform: Platform, key: string, emails: string[], authoritative: boolean, directory: PlatformDirectory): Promise<string | undefined> {
    const candidates = [...new Set(emails.filter((e) => e.includes('@')).map(normaliseEmail))];
    for (const email of candidates) {
      if (directory.accepts && !(await directory.accepts(email))) continue;
      if ((await this.ctx.store.networksOf(email)).length) {
        await this.identities.remember(platform, key, email);
        return email;
      }
    }
    if (authoritative && candidates.length === 1) await this.identities.remember(platform, key, candidates[0]!);
    return undefined;
  }

  /** "I do not know you yet; contact the organisers: …", naming the organisers of every network. */
  async unknownPersonText(locale: Locale): Promise<string> {
    const summaries = await this.ctx.store.listNetworks();
    const defs = (await Promise.all(summaries.map((s) => this.ctx.store.getNetwork(s.id)))).filter((d): d is NetworkDefinition => d !== undefined);
    const organisers = organisersText(defs, locale);
    return organisers ? this.ctx.texts.t(locale, 'errors.unknown_person', { organisers }) : this.ctx.texts.t(locale, 'errors.unknown_no_network');
  }

  private remember(key: string, locale: Locale): void {
    this.recent.delete(key);
    this.recent.set(key, locale);
    if (this.recent.size > RECENT_LOCALES) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The language without Redis: last seen in this process, else the platform's, else bokmål. */
  private async fallbackLocale(key: string, directory: PlatformDirectory, known: Locale | undefined): Promise<Locale> {
    const seen = this.recent.get(key);
    if (seen) return seen;
    if (known) return known;
    try {
      return (await directory.lookup())?.locale ?? 'nb';
    } catch {
      return 'nb';
    }
  }
}
