/**
 * Slack installations in Redis, behind Bolt's (@slack/oauth's) `InstallationStore`: one per
 * workspace, or per Enterprise Grid org for an org-wide install.
 *
 * | key                                          | type   | holds                                              |
 * |----------------------------------------------|--------|----------------------------------------------------|
 * | `samla:slack:installation:<T… or E…>`        | hash   | `sealed`: the Installation JSON, AES-256-GCM sealed (./secretBox.ts); `team`, `teamName`, `enterprise`, `installedAt`, `updatedAt`, `lastSeen` in clear (no token) |
 * | `samla:slack:installations`                  | set    | index: the ids above                               |
 * | `samla:slack:installation:<id>:refresh`      | string | the token-refresh lock (SET NX PX; expires)        |
 *
 * No token is ever written in clear: the bot token, its refresh token and any user token live
 * only inside `sealed`, which is bound to its key name (a sealed value copied under another
 * workspace's key does not open).
 *
 * The refresh lock makes "one refresh at a time across processes": `withRefreshLock` takes it
 * with SET NX PX (waiting while another process holds it) and gives it back only if it is still
 * its own (WATCH / MULTI on a connection of its own, so no Lua is needed).
 */
import { randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { type RedisClient, duplicateClient } from './client.ts';
import { DEFAULT_PREFIX } from './keys.ts';
import { SecretBox } from './secretBox.ts';

/** What may be shown of an installation (never a token). */
export interface InstallationInfo {
  /** `T…` for a workspace install, `E…` for an org-wide one. */
  id: string;
  team?: string;
  teamName?: string;
  enterprise?: string;
  installedAt: string;
  updatedAt: string;
  /** The last time Samla used the installation (a request from the workspace, or a message to it). */
  lastSeen?: string;
}

/** Thrown by fetchInstallation when the workspace has not installed Samla (or uninstalled it). */
export class NoInstallation extends Error {
  constructor(readonly id: string) {
    super(`workspace ${id} has not installed Samla`);
    this.name = 'NoInstallation';
  }
}

export interface RedisSlackInstallationOptions {
  prefix?: string;
  /** 32 bytes (SAMLA_SECRET_KEY). */
  secretKey: Buffer;
  /** How long the refresh lock lives if its holder dies, default 15 s. */
  lockMs?: number;
  /** How often a waiting process retries the lock, default 50 ms. */
  lockPollMs?: number;
  /** How often `lastSeen` is written at most, per installation and process, default 60 s. */
  seenEveryMs?: number;
  now?: () => Date;
}

/** The id an installation is stored under: the org for an org-wide install, else the workspace. */
export function installationId(q: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }): string {
  const id = q.isEnterpriseInstall && q.enterpriseId ? q.enterpriseId : q.teamId;
  if (!id || !/^[TE][A-Z0-9]+$/.test(id)) throw new Error(`Not a Slack workspace or org id: ${JSON.stringify(id)}`);
  return id;
}

/** The installations (no tokens, so no key needed), for `samla network show`. */
export async function listSlackInstallations(redis: RedisClient, prefix = DEFAULT_PREFIX): Promise<InstallationInfo[]> {
  return new RedisSlackInstallationStore(redis, { prefix, secretKey: Buffer.alloc(32) }).list();
}

export class RedisSlackInstallationStore implements InstallationStore {
  private readonly prefix: string;
  private readonly box: SecretBox;
  private readonly lockMs: number;
  private readonly lockPollMs: number;
  private readonly seenEveryMs: number;
  private readonly now: () => Date;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    opts: RedisSlackInstallationOptions,
  ) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.box = new SecretBox(opts.secretKey);
    this.lockMs = opts.lockMs ?? 15_000;
    this.lockPollMs = opts.lockPollMs ?? 50;
    this.seenEveryMs = opts.seenEveryMs ?? 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  private key(id: string): string {
    return `${this.prefix}slack:installation:${id}`;
  }
  private index(): string {
    return `${this.prefix}slack:installations`;
  }
  private lockKey(id: string): string {
    return `${this.key(id)}:refresh`;
  }

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(installation: Installation<AuthVersion, boolean>): Promise<void> {
    const id = installationId({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id, isEnterpriseInstall: installation.isEnterpriseInstall ?? false });
    const key = this.key(id);
    const at = this.now().toISOString();
    const fields: Record<string, string> = { sealed: this.box.seal(JSON.stringify(installation), key), updatedAt: at };
    if (installation.team?.id) fields.team = installation.team.id;
    if (installation.team?.name) fields.teamName = installation.team.name;
    if (installation.enterprise?.id) fields.enterprise = installation.enterprise.id;
    // The installation (one key, one MULTI), then the index that lists it: two Cluster slots.
    // Both are safe to repeat; Slack's next install or token refresh writes them again.
    await this.redis.multi().hsetnx(key, 'installedAt', at).hset(key, fields).exec();
    await this.redis.sadd(this.index(), id);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const found = await this.find(query);
    if (!found) throw new NoInstallation(installationId(query));
    return found;
  }

  /** The installation for a workspace (or its org's org-wide one), or undefined. */
  async find(query: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }): Promise<Installation | undefined> {
    const ids = [installationId(query)];
    // A workspace of an org with an org-wide install is served by the org's installation.
    if (!query.isEnterpriseInstall && query.enterpriseId) ids.push(query.enterpriseId);
    for (const id of ids) {
      const sealed = await this.redis.hget(this.key(id), 'sealed');
      if (sealed) {
        await this.markSeen(id);
        return JSON.parse(this.box.open(sealed, this.key(id))) as Installation;
      }
    }
    return undefined;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const id = installationId(query);
    // The installation first, then its index entry (two slots; `list` skips an id without one).
    await this.redis.del(this.key(id));
    await this.redis.srem(this.index(), id);
    this.seen.delete(id);
  }

  /** Every installation, for `samla network show` (no tokens). */
  async list(): Promise<InstallationInfo[]> {
    const ids = (await this.redis.smembers(this.index())).sort();
    const out: InstallationInfo[] = [];
    for (const id of ids) {
      const info = await this.info(id);
      if (info) out.push(info);
    }
    return out;
  }

  /** What may be shown of one installation, or undefined when there is none. */
  async info(id: string): Promise<InstallationInfo | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.sealed || !h.installedAt) return undefined;
    return {
      id,
      installedAt: h.installedAt,
      updatedAt: h.updatedAt ?? h.installedAt,
      ...(h.team ? { team: h.team } : {}),
      ...(h.teamName ? { teamName: h.teamName } : {}),
      ...(h.enterprise ? { enterprise: h.enterprise } : {}),
      ...(h.lastSeen ? { lastSeen: h.lastSeen } : {}),
    };
  }

  /**
   * Runs `work` while holding the installation's refresh lock, waiting (up to `waitMs`, default
   * twice the lock's life) while another process holds it. `work` must read the installation
   * again: the process before may have refreshed it already.
   */
  async withRefreshLock<T>(query: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }, work: () => Promise<T>, waitMs = this.lockMs * 2): Promise<T> {
    const key = this.lockKey(installationId(query));
    const token = randomBytes(12).toString('hex');
    const until = Date.now() + waitMs;
    while ((await this.redis.set(key, token, 'PX', this.lockMs, 'NX')) !== 'OK') {
      if (Date.now() > until) throw new Error(`Timed out waiting for another process to refresh the Slack token (${key})`);
      await new Promise((r) => setTimeout(r, this.lockPollMs));
    }
    try {
      return await work();
    } finally {
      await this.release(key, token);
    }
  }

  /** Deletes the lock only if it is still ours (it may have expired and been taken by another). */
  private async release(key: string, token: string): Promise<void> {
    const c = duplicateClient(this.redis);
    c.on('error', () => {});
    try {
      await c.watch(key);
      if ((await c.get(key)) === token) await c.multi().del(key).exec();
      else await c.unwatch();
    } finally {
      c.disconnect();
    }
  }

  private async markSeen(id: string): Promise<void> {
    const now = this.now();
    const last = this.seen.get(id);
    if (last !== undefined && now.getTime() - last < this.seenEveryMs) return;
    this.seen.set(id, now.getTime());
    // Only while the installation exists (a hash left with `lastSeen` alone would be ignored).
    const key = this.key(id);
    if (await this.redis.hexists(key, 'sealed')) await this.redis.hset(key, 'lastSeen', now.toISOString());
  }
}
