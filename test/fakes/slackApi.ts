/**
 * A fake Slack Web API on 127.0.0.1 (port 0), speaking the documented wire format so Samla's
 * real WebClient talks to it through SLACK_API_URL:
 *
 * - `POST /api/<method>` with a form-encoded (what the WebClient sends; object arguments are JSON
 *   strings) or JSON body and `Authorization: Bearer xoxb-…`; answers HTTP 200 with
 *   `{ ok: true, … }` or `{ ok: false, error }`, or what a test scripted: an error, a 429 with
 *   `Retry-After`, a 5xx, a delay.
 * - `POST /response/<id>`: the response_url of commands and buttons (JSON body, answers "ok").
 *
 * Every call is recorded with its parsed arguments; `waitFor` resolves when a matching call
 * arrives (Samla answers Slack first and works after the ack).
 *
 * Several workspaces (Samla's install flow): `oauthApp` sets the app's client id and secret,
 * `grant` issues an install code for a workspace; `oauth.v2.access` exchanges it (or a refresh
 * token, which works once, like Slack's) for a bot token of that workspace. Once a workspace is
 * known, every call must carry a token the fake issued, and users with a `team` are only found
 * with that workspace's token: so a test sees which workspace's token each call carried.
 * `apps.connections.open` (an `xapp-` token) answers the URL set with `socketUrl`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  id: string;
  email?: string;
  locale?: string;
  deleted?: boolean;
  is_bot?: boolean;
  /** The workspace the user is in; found only with that workspace's token. */
  team?: string;
}

/** What an install code (or a refresh) grants: a bot token of one workspace. */
export interface FakeGrant {
  team: string;
  teamName?: string;
  botToken: string;
  /** With token rotation: the refresh token and the access token's life in seconds. */
  refreshToken?: string;
  expiresIn?: number;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token the call carried (undefined for response_url posts). */
  token?: string;
  at: number;
  /** Position in the recording (0, 1, …), for `mark()` / `waitFor({ from })`. */
  n: number;
}

/** A scripted answer: HTTP status, headers and JSON body; `delayMs` before answering. */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  delayMs?: number;
}

export interface FakeSlackApi {
  /** Base URL for SLACK_API_URL, ending with "/api/". */
  apiUrl: string;
  /** A fresh response_url on this server. */
  responseUrl(): string;
  users: Map<string, FakeUser>;
  calls(method?: string): RecordedCall[];
  /** The next `times` calls of `method` get this answer instead of the normal one. */
  script(method: string, answer: ScriptedAnswer, times?: number): void;
  /** The position the next call will get: pass it to `waitFor` to ignore earlier calls. */
  mark(): number;
  /** Resolves with the first call (from position `from` on) that matches; rejects after `timeoutMs`. */
  waitFor(method: string, match?: (c: RecordedCall) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<RecordedCall>;
  /** The app's OAuth credentials, checked by `oauth.v2.access`. */
  oauthApp(clientId: string, clientSecret: string): void;
  /** An install code for `grant.team`, exchanged once by `oauth.v2.access`. */
  grant(code: string, grant: FakeGrant): void;
  /** A bot token the fake accepts for a workspace (as if installed earlier). */
  workspace(team: string, botToken: string): void;
  /** The workspace a token belongs to, if the fake issued it. */
  teamOfToken(token: string): string | undefined;
  /** What `apps.connections.open` answers. */
  socketUrl(url: string): void;
  /** Forgets the recorded calls (scripts and users stay). */
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
  return out;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const recorded: RecordedCall[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const users = new Map<string, FakeUser>();
  const waiters: { method: string; match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];
  let seq = 0;
  let responseSeq = 0;
  let tsSeq = 1_800_000_000;
  let oauth: { clientId: string; clientSecret: string } | undefined;
  const codes = new Map<string, FakeGrant>();
  const refreshTokens = new Map<string, FakeGrant>();
  const tokenTeams = new Map<string, string>();
  let socketModeUrl: string | undefined;
  let refreshSeq = 0;

  const record = (call: Omit<RecordedCall, 'n'>) => {
    const c = { ...call, n: recorded.length };
    recorded.push(c);
    for (const w of [...waiters]) {
      if (w.method === c.method && w.match(c)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(c);
      }
    }
  };

  /** The answer Slack would give, from the documented response shapes. */
  const answer = (method: string, args: Record<string, unknown>, token: string): Record<string, unknown> => {
    const team = tokenTeams.get(token);
    const visible = (u: FakeUser | undefined) => (u && (!u.team || !team || u.team === team) ? u : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://samla-test.slack.com/', team: 'Samla test', user: 'samla', team_id: team ?? 'T0SAMLA', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'apps.connections.open':
        if (!token.startsWith('xapp-')) return { ok: false, error: 'invalid_auth' };
        return socketModeUrl ? { ok: true, url: socketModeUrl } : { ok: false, error: 'fatal_error' };
      case 'users.info': {
        const u = visible(users.get(String(args.user)));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.id.toLowerCase(),
            deleted: u.deleted ?? false,
            is_bot: u.is_bot ?? false,
            ...(args.include_locale ? { locale: u.locale ?? 'nb-NO' } : {}),
            profile: u.email ? { email: u.email } : {},
          },
        };
      }
      case 'users.lookupByEmail': {
        const u = [...users.values()].find((x) => visible(x) && x.email?.toLowerCase() === String(args.email).toLowerCase());
        return u ? { ok: true, user: { id: u.id, profile: { email: u.email } } } : { ok: false, error: 'users_not_found' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users).replace(/^U/, '')}` } };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${tsSeq++}.000100`, message: { text: args.text, blocks: args.blocks } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${tsSeq++}.000200` };
      case 'views.open':
      case 'views.update':
      case 'views.push':
      case 'views.publish':
        return { ok: true, view: { id: `V${++seq}`, hash: `h${seq}`, ...(args.view as object) } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  /** `oauth.v2.access`: an install code or a refresh token for a bot token, as Slack answers. */
  const exchange = (args: Record<string, unknown>): Record<string, unknown> => {
    if (!oauth || args.client_id !== oauth.clientId || args.client_secret !== oauth.clientSecret) return { ok: false, error: 'invalid_client_id' };
    let g: FakeGrant | undefined;
    if (args.grant_type === 'refresh_token') {
      const old = refreshTokens.get(String(args.refresh_token));
      if (!old) return { ok: false, error: 'invalid_refresh_token' };
      refreshTokens.delete(String(args.refresh_token)); // a refresh token works once
      const n = ++refreshSeq;
      g = { ...old, botToken: `xoxe.xoxb-${old.team}-rotated-${n}`, refreshToken: `xoxe-1-${old.team}-refresh-${n}`, expiresIn: 43_200 }; // a refreshed token lives 12 hours
    } else {
      g = codes.get(String(args.code));
      if (!g) return { ok: false, error: 'invalid_code' };
      codes.delete(String(args.code));
    }
    tokenTeams.set(g.botToken, g.team);
    if (g.refreshToken) refreshTokens.set(g.refreshToken, g);
    return {
      ok: true,
      access_token: g.botToken,
      token_type: 'bot',
      scope: 'commands,chat:write,chat:write.public,im:write,users:read,users:read.email',
      bot_user_id: 'U0BOT',
      app_id: 'A0SAMLA',
      team: { id: g.team, name: g.teamName ?? g.team },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: 'U0ADMIN' },
      ...(g.refreshToken ? { refresh_token: g.refreshToken, expires_in: g.expiresIn ?? 43_200 } : {}),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '';
    let args: Record<string, unknown>;
    try {
      args = parseBody(raw, req.headers['content-type']);
    } catch {
      res.writeHead(400).end('bad body');
      return;
    }
    if (url.startsWith('/response/')) {
      record({ method: 'response_url', args: { ...args, url }, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = url.replace(/^\/api\//, '').split('?')[0] ?? '';
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || (typeof args.token === 'string' ? args.token : undefined);
    record({ method, args, ...(token ? { token } : {}), at: Date.now() });
    const scripted = scripts.get(method)?.shift();
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    const json = (body: Record<string, unknown>) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    if (method === 'oauth.v2.access') return void json(scripted?.body ?? exchange(args));
    if (token && tokenTeams.size > 0 && !token.startsWith('xapp-') && !tokenTeams.has(token)) return void json({ ok: false, error: 'invalid_auth' });
    if (!token) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'not_authed' }));
      return;
    }
    const status = scripted?.status ?? 200;
    const body = scripted?.body ?? (status === 200 ? answer(method, args, token) : { ok: false, error: status === 429 ? 'ratelimited' : 'fatal_error' });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(scripted?.headers ?? {}) }).end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${base}/api/`,
    responseUrl: () => `${base}/response/${++responseSeq}`,
    users,
    calls: (method) => recorded.filter((c) => method === undefined || c.method === method),
    script(method, a, times = 1) {
      const list = scripts.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(a);
      scripts.set(method, list);
    },
    mark: () => recorded.length,
    waitFor(method, match = () => true, opts = {}) {
      const from = opts.from ?? 0;
      const found = recorded.find((c) => c.method === method && c.n >= from && match(c));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { method, match: (c: RecordedCall) => c.n >= from && match(c), resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`The fake Slack API got no matching ${method} call within ${opts.timeoutMs ?? 3000} ms; calls: ${recorded.map((c) => c.method).join(', ')}`));
          }
        }, opts.timeoutMs ?? 3000);
      });
    },
    oauthApp(clientId, clientSecret) {
      oauth = { clientId, clientSecret };
    },
    grant(code, g) {
      codes.set(code, g);
    },
    workspace(team, botToken) {
      tokenTeams.set(botToken, team);
    },
    teamOfToken: (token) => tokenTeams.get(token),
    socketUrl(u) {
      socketModeUrl = u;
    },
    reset() {
      recorded.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
