/**
 * Which Slack workspace, and with which token: one bot token (SLACK_BOT_TOKEN, one workspace),
 * or the installations of many workspaces (the OAuth v2 install flow, stored encrypted in Redis).
 *
 * - `SlackTokens.authorize` is Bolt's `authorize` for requests (by the request's team).
 * - `SlackTokens.clientFor(team)` is a WebClient with that workspace's bot token, for sending.
 * - `WorkspaceRoutes` reads the network files' `slack_team:` to say which workspace a person is
 *   reached in (the municipality's, or the organiser's).
 *
 * Token rotation (the app's "token rotation" setting): @slack/oauth's InstallProvider refreshes a
 * bot token that expires within two hours (`oauth.v2.access`, grant_type refresh_token) and
 * stores the new one. Several Samla processes may find the same token expiring at once; only one
 * may refresh it (Slack's refresh token is single-use), so an expiring token is refreshed under
 * the installation's Redis lock, and the installation is read again once the lock is held: the
 * processes that waited find the token already fresh.
 */
import { InstallProvider, type CallbackOptions } from '@slack/oauth';
import { webApi, type Authorize, type AuthorizeResult, type Logger } from '@slack/bolt';
import { normaliseEmail } from '../../src/core/people.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import type { NetworkStore } from '../../src/core/ports.ts';
import type { Texts } from '../../src/core/texts.ts';
import { DeliveryError } from '../../src/core/ports.ts';
import { installationId, NoInstallation, type InstallationInfo, type RedisSlackInstallationStore } from '../redis/slackInstallations.ts';
import { webClientOptions } from './client.ts';
import type { SlackConfig, SlackOAuthConfig } from './config.ts';

/** The bot scopes Samla asks for when a workspace installs it (as in manifest.slack.yml). */
export const SLACK_BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'im:write', 'users:read', 'users:read.email'] as const;

/** Where an admin starts installing Samla in their workspace, and where Slack sends them back. */
export const SLACK_INSTALL_PATH = '/slack/install';
export const SLACK_REDIRECT_PATH = '/slack/oauth_redirect';

/**
 * @slack/oauth refreshes a token that expires within 2 hours; a token within this window (a
 * minute wider, so the check here never says "fresh" where the library would refresh) is only
 * handed to the library under the refresh lock.
 */
const REFRESH_WINDOW_S = 2 * 60 * 60 + 60;

export type TeamQuery = { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined };

export interface SlackTokens {
  readonly mode: 'single' | 'installations';
  /** Bolt's `authorize`: the bot token for the request's workspace. */
  authorize: Authorize<boolean>;
  /**
   * A WebClient with the bot token of `team` (any team in single-workspace mode). Throws a
   * permanent, unreachable DeliveryError `workspace_not_installed` when the workspace has no
   * installation.
   */
  clientFor(team: string | undefined): Promise<webApi.WebClient>;
}

/** One workspace: SLACK_BOT_TOKEN for everything. */
export class SingleWorkspace implements SlackTokens {
  readonly mode = 'single' as const;
  private readonly client: webApi.WebClient;

  constructor(
    private readonly botToken: string,
    config: SlackConfig,
    logger?: Logger,
  ) {
    this.client = new webApi.WebClient(botToken, webClientOptions(config, logger));
  }

  authorize: Authorize<boolean> = async () => ({ botToken: this.botToken });

  async clientFor(): Promise<webApi.WebClient> {
    return this.client;
  }
}

/** Many workspaces: the installations in Redis, refreshed one process at a time. */
export class InstalledWorkspaces implements SlackTokens {
  readonly mode = 'installations' as const;
  readonly provider: InstallProvider;
  private readonly clients = new Map<string, webApi.WebClient>();

  constructor(
    readonly store: RedisSlackInstallationStore,
    private readonly config: SlackConfig & { oauth: SlackOAuthConfig },
    private readonly logger?: Logger,
    private readonly texts?: Texts,
  ) {
    const { oauth } = config;
    this.provider = new InstallProvider({
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      stateSecret: oauth.stateSecret,
      installationStore: store,
      installUrlOptions: { scopes: [...SLACK_BOT_SCOPES], ...(oauth.redirectUri ? { redirectUri: oauth.redirectUri } : {}) },
      authorizationUrl: oauth.authorizationUrl,
      clientOptions: webClientOptions(config),
      ...(texts ? { renderHtmlForInstallPath: (url: string) => installPage(texts, url) } : {}),
      ...(logger ? { logger } : {}),
    });
  }

  authorize: Authorize<boolean> = async (source) => this.tokenFor(source);

  /** The installation's bot token (refreshed when it expires soon). Throws NoInstallation. */
  async tokenFor(source: TeamQuery): Promise<AuthorizeResult> {
    const query = { teamId: source.teamId, enterpriseId: source.enterpriseId, isEnterpriseInstall: source.isEnterpriseInstall ?? false } as Parameters<InstallProvider['authorize']>[0];
    const installation = await this.store.find(query);
    if (!installation) throw new NoInstallation(installationId(query));
    const bot = installation.bot;
    const expiring = bot?.refreshToken && bot.expiresAt != null && bot.expiresAt - Date.now() / 1000 <= REFRESH_WINDOW_S;
    // Under the lock the provider reads the installation again: refreshed by whoever held it before, or by this call.
    return expiring ? this.store.withRefreshLock(query, () => this.provider.authorize(query)) : this.provider.authorize(query);
  }

  async clientFor(team: string | undefined): Promise<webApi.WebClient> {
    const id = team ?? (await this.onlyInstallation());
    let auth: AuthorizeResult;
    try {
      auth = await this.tokenFor({ teamId: id, isEnterpriseInstall: false });
    } catch (err) {
      if (err instanceof NoInstallation) throw notInstalled(id);
      throw new DeliveryError(`Finding the Slack installation of workspace ${id}: ${err instanceof Error ? err.message : String(err)}`, false, 'installation_unavailable', undefined, { cause: err });
    }
    if (!auth.botToken) throw notInstalled(id);
    let client = this.clients.get(auth.botToken);
    if (!client) {
      // One client per token; a refreshed token gets a new one (old ones are dropped past 100).
      if (this.clients.size >= 100) this.clients.clear();
      client = new webApi.WebClient(auth.botToken, webClientOptions(this.config, this.logger));
      this.clients.set(auth.botToken, client);
    }
    return client;
  }

  /** With no workspace named, the one installation when there is exactly one. */
  private async onlyInstallation(): Promise<string> {
    const all = await this.store.list();
    if (all.length === 1 && all[0]!.team) return all[0]!.team;
    throw new DeliveryError(
      all.length === 0 ? 'No Slack workspace has installed Samla yet' : 'The network file names no slack_team for this person, and Samla is installed in several workspaces',
      true,
      'workspace_not_named',
      undefined,
      { unreachable: true },
    );
  }

  /** The install flow's callback answers: @slack/oauth's success page, a failure page of Samla's; both logged. */
  callbackOptions(log: { info(o: object, m: string): void; warn(o: object, m: string): void }): CallbackOptions {
    return {
      afterInstallation: async (installation) => {
        log.info({ team: installation.team?.id, enterprise: installation.enterprise?.id }, 'Slack: a workspace installed Samla');
        return true;
      },
      failure: (error, _options, _req, res) => {
        log.warn({ code: error.code, err: error.message }, 'Slack: an install did not complete');
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        const t = (key: string) => escapeHtml(this.texts?.t('nb', key) ?? key);
        res.end(page(t('slack.install_failed_title'), `<p>${t('slack.install_failed_text')}</p><p><a href="${SLACK_INSTALL_PATH}">${t('slack.install_button')}</a></p>`));
      },
    };
  }
}

/** The install page: what Samla is, and the "Add to Slack" link to Slack's authorize page (bokmål, no outside resources). */
function installPage(texts: Texts, url: string): string {
  const t = (key: string) => escapeHtml(texts.t('nb', key));
  return page(t('slack.install_title'), `<p>${t('slack.install_text')}</p><p><a class="button" href="${escapeHtml(url)}">${t('slack.install_button')}</a></p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}a.button{display:inline-block;padding:.6rem 1rem;background:#2f5d50;color:#fff;border-radius:.3rem;text-decoration:none}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function notInstalled(team: string): DeliveryError {
  return new DeliveryError(`workspace ${team} has not installed Samla`, true, 'workspace_not_installed', undefined, { unreachable: true, workspace: team });
}

/**
 * The SlackTokens of a configuration: one bot token, or the installations (a repository the
 * composition root builds: src/app/main.ts, `slackInstallationsFor`).
 */
export function slackTokens(config: SlackConfig, deps: { installations?: RedisSlackInstallationStore | undefined; texts?: Texts }, logger?: Logger): SlackTokens {
  if (config.botToken) return new SingleWorkspace(config.botToken, config, logger);
  if (!config.oauth || !deps.installations) throw new Error('Serving several Slack workspaces needs SLACK_CLIENT_ID… and the installation store');
  return new InstalledWorkspaces(deps.installations, config as SlackConfig & { oauth: SlackOAuthConfig }, logger, deps.texts);
}

/** The workspace people are reached in, from the network files' `slack_team:`. */
export class WorkspaceRoutes {
  constructor(private readonly store: Pick<NetworkStore, 'getNetwork' | 'networksOf'>) {}

  /** The workspace of a message in `network` to `email`, a member of `municipality` (or an organiser). */
  async teamFor(network: string, municipality: string | undefined, email: string): Promise<string | undefined> {
    const def = await this.store.getNetwork(network);
    if (!def) return undefined;
    if (municipality) return def.municipalities.find((m) => m.id === municipality)?.slackTeam;
    return teamsIn(def, normaliseEmail(email))[0];
  }

  /** Every workspace the person is named in, across their networks (empty: none named). */
  async teamsOf(email: string): Promise<Set<string>> {
    const e = normaliseEmail(email);
    const out = new Set<string>();
    for (const id of await this.store.networksOf(e)) {
      const def = await this.store.getNetwork(id);
      if (def) for (const t of teamsIn(def, e)) out.add(t);
    }
    return out;
  }
}

/** The workspaces of `email` in one network: as an organiser first, then their municipalities'. */
export function teamsIn(def: NetworkDefinition, email: string): string[] {
  const out: string[] = [];
  for (const o of def.organisers) if (o.slackTeam && normaliseEmail(o.email) === email) out.push(o.slackTeam);
  for (const m of def.municipalities) if (m.slackTeam && m.members.some((p) => normaliseEmail(p.email) === email)) out.push(m.slackTeam);
  return out;
}

export type { InstallationInfo };
