/**
 * Which Microsoft 365 tenants Samla answers in Teams, and in which tenant each person is who
 * they are. One Azure Bot with a multi-tenant app registration receives activities from every
 * tenant whose admin installed the Teams app; Samla must decide itself which to serve.
 *
 * - The allowlist: every tenant named in a network file (`tenant:` on a municipality or an
 *   organiser) plus `TEAMS_ALLOWED_TENANTS`. Only when no tenant is named anywhere: the home
 *   tenant (`TEAMS_TENANT_ID`) alone; or, without credentials (anonymous, never in production),
 *   any tenant. With credentials, no home tenant and no tenant named, no tenant is answered.
 * - An activity from any other tenant gets no answer and changes nothing; it is logged with its
 *   tenant id and a hint for the operator, once per tenant per hour.
 * - A person is matched within their municipality's tenant: the same email or UPN from another
 *   tenant is someone else. A person none of whose entries names a tenant is matched in any
 *   tenant Samla answers.
 *
 * The network files are read from the store and kept for ten seconds; a tenant not on the list
 * makes Samla read them again (at most once a second), so a freshly imported file counts at once.
 */
import type { Logger } from 'pino';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { normaliseEmail } from '../../src/core/people.ts';
import type { NetworkStore } from '../../src/core/ports.ts';
import type { TeamsConfig } from './config.ts';

export type TenantPolicy =
  /** No tenant named, no credentials, not production: every tenant, as a local tool. */
  | { kind: 'any' }
  /** These tenants only; `source` says why (for the log). */
  | { kind: 'only'; tenants: ReadonlySet<string>; source: 'named' | 'home' | 'none' };

/** What the network files say about tenants. */
export interface TenantSnapshot {
  policy: TenantPolicy;
  /** Tenants named for each person (by email), when any entry of theirs names one. */
  people: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The tenant an activity names (`channelData.tenant.id`, else `conversation.tenantId`), lower case. */
export function activityTenant(activity: { channelData?: unknown; conversation?: { tenantId?: string } }): string | undefined {
  const data = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = typeof data?.tenant?.id === 'string' ? data.tenant.id : activity.conversation?.tenantId;
  return id ? id.toLowerCase() : undefined;
}

/** The policy when no network file names a tenant: `TEAMS_ALLOWED_TENANTS`, else the home tenant, else any (anonymous) or none. */
export function fallbackPolicy(config: TeamsConfig): TenantPolicy {
  if (config.allowedTenants.length) return { kind: 'only', tenants: new Set(config.allowedTenants), source: 'named' };
  if (config.auth.mode === 'anonymous') return { kind: 'any' };
  return config.auth.tenantId ? { kind: 'only', tenants: new Set([config.auth.tenantId]), source: 'home' } : { kind: 'only', tenants: new Set(), source: 'none' };
}

/** The tenants named by these networks, with the configured ones, and who is bound to which. */
export function snapshotOf(config: TeamsConfig, defs: NetworkDefinition[]): TenantSnapshot {
  const named = new Set(config.allowedTenants);
  const people = new Map<string, Set<string>>();
  const bind = (email: string, tenant: string | undefined) => {
    if (!tenant) return;
    named.add(tenant);
    const key = normaliseEmail(email);
    const set = people.get(key) ?? new Set<string>();
    set.add(tenant);
    people.set(key, set);
  };
  for (const def of defs) {
    for (const o of def.organisers) bind(o.email, o.tenant);
    for (const m of def.municipalities) {
      if (m.tenant) named.add(m.tenant);
      for (const member of m.members) bind(member.email, m.tenant);
    }
  }
  const policy: TenantPolicy = named.size ? { kind: 'only', tenants: named, source: 'named' } : fallbackPolicy(config);
  return { policy, people };
}

export function admits(policy: TenantPolicy, tenant: string | undefined): boolean {
  if (policy.kind === 'any') return true;
  return tenant !== undefined && policy.tenants.has(tenant);
}

/** True when the person known by this email may be the one writing from `tenant`. */
export function personInTenant(snapshot: TenantSnapshot, email: string, tenant: string | undefined): boolean {
  const bound = snapshot.people.get(normaliseEmail(email));
  if (!bound) return true;
  return tenant !== undefined && bound.has(tenant);
}

/** The start-up line that says which tenants Samla answers. */
export function describePolicy(policy: TenantPolicy): string {
  if (policy.kind === 'any') return 'Teams answers every tenant: no tenant is named in a network file or TEAMS_ALLOWED_TENANTS, and Samla runs without credentials (local use only).';
  if (policy.source === 'home') return `Teams answers only the home tenant ${[...policy.tenants][0]}: no tenant is named in a network file or TEAMS_ALLOWED_TENANTS.`;
  if (policy.source === 'none') {
    return 'Teams answers NO tenant: no tenant is named in a network file or TEAMS_ALLOWED_TENANTS, and TEAMS_TENANT_ID is not set. Add tenant: <GUID> to the municipalities in the network file, or set TEAMS_TENANT_ID.';
  }
  return `Teams answers ${policy.tenants.size} tenant(s), those named in the network files and TEAMS_ALLOWED_TENANTS: ${[...policy.tenants].sort().join(', ')}.`;
}

const FRESH_MS = 10_000;
const REFRESH_ON_MISS_MS = 1_000;
const LOG_EVERY_MS = 60 * 60 * 1000;
const LOGGED_MAX = 10_000;

export interface TenantGateDeps {
  store: NetworkStore;
  config: TeamsConfig;
  logger: Logger;
  /** The clock for "once per tenant per hour". */
  now: () => Date;
}

export class TenantGate {
  private current?: { snapshot: TenantSnapshot; at: number };
  private loading?: Promise<TenantSnapshot>;
  /** Tenant → when its refusal was last logged. */
  private readonly logged = new Map<string, number>();

  constructor(private readonly deps: TenantGateDeps) {}

  /** What the network files say now (read again when older than ten seconds, or `maxAgeMs`). */
  async snapshot(maxAgeMs = FRESH_MS): Promise<TenantSnapshot> {
    if (this.current && Date.now() - this.current.at < maxAgeMs) return this.current.snapshot;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<TenantSnapshot> {
    const summaries = await this.deps.store.listNetworks();
    const defs = (await Promise.all(summaries.map((s) => this.deps.store.getNetwork(s.id)))).filter((d): d is NetworkDefinition => d !== undefined);
    const snapshot = snapshotOf(this.deps.config, defs);
    this.current = { snapshot, at: Date.now() };
    return snapshot;
  }

  /**
   * True when Samla answers this tenant. A refusal is logged with the tenant id and what the
   * operator can do, once per tenant per hour.
   */
  async admit(tenant: string | undefined, context: { conversation?: string; type?: string } = {}): Promise<boolean> {
    let snapshot = await this.snapshot();
    if (admits(snapshot.policy, tenant)) return true;
    snapshot = await this.snapshot(REFRESH_ON_MISS_MS);
    if (admits(snapshot.policy, tenant)) return true;
    this.logRefusal(tenant ?? '(none)', context);
    return false;
  }

  private logRefusal(tenant: string, context: { conversation?: string; type?: string }): void {
    const now = this.deps.now().getTime();
    const last = this.logged.get(tenant);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    this.logged.delete(tenant);
    this.logged.set(tenant, now);
    if (this.logged.size > LOGGED_MAX) this.logged.delete(this.logged.keys().next().value!);
    this.deps.logger.warn(
      { tenantId: tenant, ...context },
      `Teams activity from tenant ${tenant} refused: no network file names this tenant. If it is a municipality of a network, add "tenant: ${tenant}" to that municipality (or organiser) in the network file and import it again, or add it to TEAMS_ALLOWED_TENANTS; otherwise a Teams admin there installed Samla without being part of a network. Logged once an hour per tenant.`,
    );
  }

  /** True when Samla answers this tenant, without logging (for sending). */
  async serves(tenant: string | undefined): Promise<boolean> {
    return admits((await this.snapshot()).policy, tenant?.toLowerCase());
  }

  /** The tenants named for this person, or undefined when none is (they may be in any answered tenant). */
  async tenantsOf(email: string): Promise<ReadonlySet<string> | undefined> {
    return (await this.snapshot()).people.get(normaliseEmail(email));
  }

  /** True when the person known by `email` may be the one writing from `tenant`. */
  async personInTenant(email: string, tenant: string | undefined): Promise<boolean> {
    return personInTenant(await this.snapshot(), email, tenant);
  }
}
