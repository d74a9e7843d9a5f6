/**
 * Samla's web pages, as one HttpPlugin on the shared server:
 *
 * | route                                  | what                                                    | who |
 * |----------------------------------------|---------------------------------------------------------|-----|
 * | `GET /`                                | the chat page in demo mode, else the dashboard           | |
 * | `GET /chat`                            | pick who you are and talk to Samla (Web Chat), with the time control | demo mode, localhost |
 * | `GET /dashboard[?network=&lang=]`      | the organisers' dashboard                                | demo: localhost; else a signed-in organiser, their networks only |
 * | `GET /dashboard/login?token=`          | a signed link from chat → a page with a sign-in button   | |
 * | `POST /dashboard/login` (form: token)  | same-origin only → a session cookie → /dashboard         | |
 * | `GET /dashboard/logout`                | ends the session (revoked in Redis, not just forgotten)  | |
 * | `/v3/directline/…`, `/demo/connector/…`| the local Direct Line bridge (adapters/directline)       | demo mode, localhost |
 * | `GET/POST /demo/api/clock`, `POST /demo/api/session`, `POST /demo/api/restart` | the time control, a chat token, starting over | demo mode, localhost |
 * | `GET /assets/…`                        | the style sheet, the page script, Web Chat's bundle from node_modules | |
 *
 * Access rules: ./access.ts. Every page is bokmål by default; `?lang=nn|en` switches.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { storeDirectory } from '../../adapters/directline/accounts.ts';
import { DirectLineBridge } from '../../adapters/directline/bridge.ts';
import type { Logger } from 'pino';
import type { TeamsConfig } from '../../adapters/teams/config.ts';
import type { DemoClock } from '../app/demoClock.ts';
import type { DemoTime } from '../app/demo.ts';
import { isSamlaError } from '../core/errors.ts';
import { formatWhen } from '../core/format.ts';
import { whoAmI, type JourneyContext } from '../core/journeys/context.ts';
import type { Locale, NetworkDefinition } from '../core/model.ts';
import type { NetworkStore, SessionRevocations } from '../core/ports.ts';
import type { HttpPlugin } from '../http/plugin.ts';
import { SESSION_COOKIE, clearedSessionCookie, cookie, dashboardLinks, isLocalRequest, sessionCookie, verifyToken, viewerOf, type AccessMode, type Refusal } from './access.ts';
import { chatBody } from './chat/page.ts';
import type { WebConfig } from './config.ts';
import { networkView } from './dashboard/model.ts';
import { dashboardBody } from './dashboard/page.ts';
import { STYLES, esc, localeParam, messagePage, page } from './html.ts';

/** What the plugin may use once Samla runs (the server starts before the scheduler). */
export interface SamlaHandle {
  /** Samla's own address, http://localhost:<port>, once the server listens. */
  url(): string;
  scheduler(): import('../app/scheduler.ts').RunningScheduler | undefined;
}

export interface DemoRuntime {
  clock: DemoClock;
  time: DemoTime;
  /** Loads the demo network afresh (the clock goes back to its start). */
  restart(): Promise<void>;
}

export interface WebPlugin extends HttpPlugin {
  /** The local Direct Line bridge, in demo mode when Teams runs anonymously. */
  bridge?: DirectLineBridge;
  /** Why the local chat cannot run, when it cannot. */
  chatUnavailable?: string;
  /** Once Samla listens: installs Samla in the local team (demo mode), so it can reach everyone. */
  started(): Promise<void>;
}

const CLIENT_JS = fileURLToPath(new URL('./chat/client.js', import.meta.url));

/** Web Chat's ready browser bundle, from node_modules (never a CDN). */
export function webChatBundlePath(): string {
  const entry = createRequire(import.meta.url).resolve('botframework-webchat');
  let dir = path.dirname(entry);
  while (path.basename(dir) !== 'botframework-webchat' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'webchat.js');
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Web Chat and Adaptive Cards set styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function htmlHeaders(res: Response): void {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  // The dashboard's sign-in link carries a token: never pass it on in a Referer.
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
}

/** Requests that change something must be JSON: a form on another site cannot send that without a preflight. */
const jsonOnly: RequestHandler = (req, res, next) => {
  // `req.is` is null for a request without a body (Direct Line's token refresh).
  if ((req.method === 'POST' || req.method === 'PUT') && req.is('application/json') === false) {
    res.status(415).json({ error: 'json_required', message: 'Send JSON (Content-Type: application/json).' });
    return;
  }
  next();
};

const loginForm = z.object({ token: z.string().min(1).max(2048) });

/**
 * A form POST from Samla's own page: the browser says so in Sec-Fetch-Site, or (older browsers)
 * in Origin. A request with neither comes from no browser page, so no other site sent it.
 */
function sameOrigin(req: Request, publicUrl: string | undefined): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const o = new URL(origin);
    return o.host === req.headers.host || (publicUrl !== undefined && o.origin === new URL(publicUrl).origin);
  } catch {
    return false;
  }
}

const WEBCHAT_LOCALE: Record<Locale, string> = { nb: 'nb-NO', nn: 'nb-NO', en: 'en-US' };

const clockBody = z.object({
  to: z.iso.datetime({ offset: true }).optional(),
  plusDays: z.number().int().min(1).max(60).optional(),
  lang: z.string().optional(),
});

/** What the web pages are given by the composition root (src/cli/startCommand.ts). */
export interface WebPluginDeps {
  /** The dashboard's settings (src/app/env.ts). */
  web: WebConfig;
  /** The Teams settings: the local chat needs Teams to run anonymously. */
  teams: TeamsConfig;
  store: NetworkStore;
  /** Sessions signed out before they expire. */
  revokedSessions: SessionRevocations;
  journeys: JourneyContext;
  logger: Logger;
}

export function webPlugin(deps: WebPluginDeps, samla: SamlaHandle, demo?: DemoRuntime): WebPlugin {
  const config = deps.web;
  const texts = deps.journeys.texts;
  const logger = deps.logger.child({ adapter: 'web' });
  const realNow = () => new Date();
  const revokedSessions = deps.revokedSessions;
  const mode: AccessMode = { demo: !!demo, ...(config.secret ? { secret: config.secret } : {}), revoked: (id) => revokedSessions.isRevoked(id) };
  const secureCookies = (config.publicUrl ?? '').startsWith('https://');
  // The chat journeys (`dashboard` in Teams and Slack) share this context object: they now hand out links.
  deps.journeys.dashboard = dashboardLinks({ demo: !!demo, ...(config.secret ? { secret: config.secret } : {}), baseUrl: () => config.publicUrl ?? samla.url(), linkMinutes: config.linkMinutes });

  const teams = deps.teams;
  const chatUnavailable = demo && teams.auth.mode !== 'anonymous' ? texts.t('nb', 'web.chat_needs_anonymous_teams') : undefined;
  // Samla calls itself on 127.0.0.1 ("localhost" may resolve to ::1, where nothing listens).
  const selfUrl = () => samla.url().replace('//localhost:', '//127.0.0.1:');
  const bridge = demo && !chatUnavailable ? new DirectLineBridge({ directory: storeDirectory(deps.store), samlaUrl: selfUrl, connectorPath: '/demo/connector', logger: logger.child({ part: 'directline' }) }) : undefined;

  const t = (locale: Locale, key: string, vars?: Record<string, string | number>) => texts.t(locale, `web.${key}`, vars);
  const allNetworks = async (): Promise<NetworkDefinition[]> =>
    (await Promise.all((await deps.store.listNetworks()).map((n) => deps.store.getNetwork(n.id)))).filter((d): d is NetworkDefinition => !!d);

  const refuse = (req: Request, res: Response, locale: Locale, r: Refusal) => {
    htmlHeaders(res);
    res.status(r.status).send(
      messagePage({ locale, texts, title: t(locale, 'dashboard_title'), path: req.path, query: {}, current: 'dashboard', chat: !!demo, heading: t(locale, 'access_heading'), message: t(locale, `access_${r.reason}`) }),
    );
  };

  /** Demo routes: this machine only. */
  const localOnly: RequestHandler = (req, res, next) => {
    if (!demo) return void res.status(404).json({ error: 'not_found', message: 'The local chat runs only in demo mode (npm start without chat credentials, or --demo).' });
    if (!isLocalRequest(req)) return void res.status(403).json({ error: 'local_only', message: texts.t('en', 'web.access_local_only') });
    next();
  };

  const dashboard = async (req: Request, res: Response) => {
    const locale = localeParam(req.query.lang);
    const viewer = await viewerOf(req, mode, realNow());
    if ('refused' in viewer) return refuse(req, res, locale, viewer);
    let networks: NetworkDefinition[];
    let signedIn: { name: string } | undefined;
    if (viewer.kind === 'local') networks = await allNetworks();
    else {
      const me = await whoAmI(deps.journeys, viewer.email);
      networks = me?.organiserOf ?? [];
      if (!me || networks.length === 0) return refuse(req, res, locale, { refused: true, status: 403, reason: 'not_organiser' });
      signedIn = { name: me.name };
    }
    const wanted = typeof req.query.network === 'string' ? req.query.network : undefined;
    const def = wanted ? networks.find((n) => n.id === wanted) : networks[0];
    if (wanted && !def) return refuse(req, res, locale, { refused: true, status: 403, reason: 'other_network' });
    const view = def ? await networkView(deps.store, texts, def, deps.journeys.now(), locale) : undefined;
    const headerRight = signedIn
      ? `<span>${esc(t(locale, 'dashboard_signed_in', { name: signedIn.name }))}</span> <a href="/dashboard/logout">${esc(t(locale, 'dashboard_sign_out'))}</a>`
      : demo
        ? `<span>${esc(t(locale, 'dashboard_local'))}</span>`
        : '';
    htmlHeaders(res);
    res.send(
      page({
        locale,
        texts,
        title: t(locale, 'dashboard_title'),
        path: '/dashboard',
        query: { network: def?.id },
        current: 'dashboard',
        chat: !!demo,
        headerRight,
        body: dashboardBody({ locale, texts, networks: networks.map((n) => ({ id: n.id, name: n.name })), ...(view ? { view } : {}) }),
      }),
    );
  };

  /** The sign-in link's token checked; the person it names, or the refusal already sent. */
  const linkHolder = async (req: Request, res: Response, locale: Locale, token: string) => {
    if (!config.secret) return void refuse(req, res, locale, { refused: true, status: 503, reason: 'not_configured' });
    const check = verifyToken(config.secret, token, 'link', realNow());
    if (!check.ok) return void refuse(req, res, locale, { refused: true, status: 401, reason: check.reason === 'expired' ? 'link_expired' : 'link_invalid' });
    const me = await whoAmI(deps.journeys, check.email);
    if (!me || me.organiserOf.length === 0) return void refuse(req, res, locale, { refused: true, status: 403, reason: 'not_organiser' });
    return me;
  };

  // Opening the link (a GET, which chat apps' previews and other sites can make) only shows a
  // button; the session starts with the button's same-origin POST, so no other site can sign a
  // visitor in as someone else (login CSRF).
  const loginPage = async (req: Request, res: Response) => {
    const locale = localeParam(req.query.lang);
    if (demo) return void res.redirect(303, '/dashboard');
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const me = await linkHolder(req, res, locale, token);
    if (!me) return;
    htmlHeaders(res);
    const action = `/dashboard/login${locale === 'nb' ? '' : `?lang=${locale}`}`;
    res.send(
      page({
        locale,
        texts,
        title: t(locale, 'dashboard_title'),
        path: '/dashboard/login',
        query: {},
        current: 'dashboard',
        chat: false,
        body: `<main class="narrow"><h1>${esc(t(locale, 'login_heading'))}</h1><p>${esc(t(locale, 'login_intro', { email: me.email }))}</p><form method="post" action="${esc(action)}"><input type="hidden" name="token" value="${esc(token)}"><button type="submit" data-testid="sign-in">${esc(t(locale, 'login_button'))}</button></form></main>`,
      }),
    );
  };

  const login = async (req: Request, res: Response) => {
    const locale = localeParam(req.query.lang);
    if (demo) return void res.redirect(303, '/dashboard');
    if (!sameOrigin(req, config.publicUrl)) return refuse(req, res, locale, { refused: true, status: 403, reason: 'cross_site' });
    const body = loginForm.safeParse(req.body);
    const me = await linkHolder(req, res, locale, body.success ? body.data.token : '');
    if (!me) return;
    res.setHeader('set-cookie', sessionCookie(config.secret!, me.email, realNow(), secureCookies));
    res.setHeader('referrer-policy', 'no-referrer');
    res.redirect(303, '/dashboard');
  };

  const logout = async (req: Request, res: Response) => {
    const locale = localeParam(req.query.lang);
    const session = cookie(req, SESSION_COOKIE);
    const check = config.secret && session ? verifyToken(config.secret, session, 'session', realNow()) : undefined;
    // Ended for good: the cookie would otherwise keep working until it expires.
    if (check?.ok && check.id) await revokedSessions.revoke(check.id, check.expires, realNow());
    res.setHeader('set-cookie', clearedSessionCookie(secureCookies));
    htmlHeaders(res);
    res.send(messagePage({ locale, texts, title: t(locale, 'dashboard_title'), path: '/dashboard/logout', current: 'dashboard', chat: !!demo, heading: t(locale, 'dashboard_signed_out'), message: t(locale, 'access_sign_in') }));
  };

  const chat = async (req: Request, res: Response) => {
    const locale = localeParam(req.query.lang);
    if (!demo) return void res.redirect(303, '/dashboard');
    if (!isLocalRequest(req)) return refuse(req, res, locale, { refused: true, status: 403, reason: 'local_only' });
    htmlHeaders(res);
    res.send(
      page({
        locale,
        texts,
        title: t(locale, 'chat_title'),
        path: '/chat',
        current: 'chat',
        chat: true,
        body: chatBody({ locale, texts, networks: await allNetworks(), ...(chatUnavailable ? { unavailable: t(locale, 'chat_needs_anonymous_teams') } : {}) }),
        scripts: chatUnavailable ? [] : ['/assets/webchat.js', '/assets/chat.js'],
      }),
    );
  };

  /** The clock and what comes next, for the time control. */
  const clockState = async (locale: Locale) => {
    const time = demo!.time;
    const now = time.now();
    const zone = (await allNetworks())[0]?.timezone ?? 'Europe/Oslo';
    const upcoming = await time.upcoming();
    return {
      now: now.toISOString(),
      label: formatWhen(now, zone, locale),
      upcoming: upcoming.map((u) => ({ ...u, when: formatWhen(new Date(u.at), zone, locale) })),
    };
  };

  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  api.post('/session', async (req, res) => {
    const email = z.object({ email: z.email() }).safeParse(req.body);
    if (!email.success) return void res.status(400).json({ error: 'invalid', message: 'Send { "email": "…" } of a person in a network.' });
    if (!bridge) return void res.status(503).json({ error: 'chat_unavailable', message: chatUnavailable });
    const session = await bridge.openSession(email.data.email);
    if (!session) return void res.status(404).json({ error: 'unknown_person', message: 'No network knows this person.' });
    const me = await whoAmI(deps.journeys, email.data.email);
    res.json({ ...session, locale: WEBCHAT_LOCALE[me?.locale ?? 'nb'] });
  });
  api.get('/clock', async (req, res) => {
    res.json(await clockState(localeParam(req.query.lang)));
  });
  api.post('/clock', async (req, res) => {
    const body = clockBody.safeParse(req.body);
    if (!body.success || (!body.data.to && !body.data.plusDays)) return void res.status(400).json({ error: 'invalid', message: 'Send { "to": "<ISO instant>" } or { "plusDays": 1 }.' });
    const locale = localeParam(body.data.lang);
    const to = body.data.to ? new Date(body.data.to) : new Date(demo!.time.now().getTime() + body.data.plusDays! * 24 * 3600_000);
    try {
      const report = await demo!.time.jump(to);
      const clock = await clockState(locale);
      const time = formatWhen(new Date(report.at), (await allNetworks())[0]?.timezone ?? 'Europe/Oslo', locale);
      const message = report.held.length
        ? t(locale, 'time_held', { time })
        : t(locale, report.pending ? 'time_jumped_pending' : 'time_jumped', { time, sent: report.enqueued });
      res.json({ at: report.at, report, message, clock });
    } catch (err) {
      if (isSamlaError(err) && err.isUserError) return void res.status(400).json({ error: 'invalid', message: t(locale, 'time_forward_only') });
      throw err;
    }
  });
  api.post('/restart', async (req, res) => {
    await demo!.time.exclusive(async () => {
      await demo!.restart();
      bridge?.reset();
      await bridge?.install();
    });
    res.json({ clock: await clockState(localeParam(((req.body ?? {}) as { lang?: unknown }).lang)) });
  });

  const bundle = webChatBundlePath();
  const clientJs = readFileSync(CLIENT_JS, 'utf8');

  return {
    name: 'web',
    ...(bridge ? { bridge } : {}),
    ...(chatUnavailable ? { chatUnavailable } : {}),
    mount(app: Express) {
      app.get('/assets/samla.css', (_req, res) => {
        res.type('text/css').setHeader('cache-control', 'max-age=300');
        res.send(STYLES);
      });
      app.get('/assets/chat.js', (_req, res) => {
        res.type('application/javascript').setHeader('cache-control', 'max-age=300');
        res.send(clientJs);
      });
      app.get('/favicon.ico', (_req, res) => void res.status(204).end());
      app.get('/assets/webchat.js', (_req, res) => {
        res.sendFile(bundle, { maxAge: '1d', headers: { 'content-type': 'application/javascript; charset=utf-8' } });
      });
      const wrap = (h: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next) => void h(req, res).catch(next);
      app.get('/', (req, res) => res.redirect(303, demo ? `/chat${req.url.slice(1)}` : `/dashboard${req.url.slice(1)}`));
      app.get('/chat', wrap(chat));
      app.get('/dashboard', wrap(dashboard));
      app.get('/dashboard/login', wrap(loginPage));
      app.post('/dashboard/login', express.urlencoded({ extended: false, limit: '4kb' }), wrap(login));
      app.get('/dashboard/logout', wrap(logout));
      if (demo) {
        app.use('/demo/api', localOnly, jsonOnly, api);
        if (bridge) {
          app.use('/v3/directline', localOnly, jsonOnly, bridge.directLineRouter());
          app.use('/demo/connector', localOnly, jsonOnly, bridge.connectorRouter());
        }
      }
      app.use(['/dashboard', '/chat', '/demo', '/v3/directline'], ((err, _req, res, next) => {
        if (res.headersSent) return next(err);
        logger.error({ err }, 'A web request failed');
        res.status(500).json({ error: 'internal', message: 'Samla failed to answer; see its log.' });
      }) as express.ErrorRequestHandler);
    },
    async started() {
      if (!bridge) return;
      const status = await bridge.install();
      if (status < 200 || status >= 300) logger.warn({ status }, 'Installing Samla in the local chat failed; people may be unreachable until the next start');
    },
  };
}
