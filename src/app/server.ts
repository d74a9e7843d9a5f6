/**
 * The HTTP server: one Express app on PORT (default 3978) that carries the Slack endpoint
 * (`POST /slack/events`), the Teams endpoint (`POST /api/messages`), and for operators:
 *
 * | route          | answers |
 * |----------------|---------|
 * | `GET /healthz` | 200 `{ ok: true }` while the process is alive (also while draining) |
 * | `GET /readyz`  | 200 when Redis answers PING and every readiness check passes (the delivery workers run); 503 with the failing checks, and 503 while shutting down |
 * | `GET /metrics` | Prometheus text format (./metrics.ts): with `Authorization: Bearer <SAMLA_METRICS_TOKEN>`; without a token only in demo mode, to this machine, or on the separate listener SAMLA_METRICS_PORT binds to 127.0.0.1 |
 *
 * Every request, in order: a request id (`X-Request-Id`, ./logging.ts) → 503 while draining →
 * 413 for a body whose Content-Length is over the limit (before anything reads it; the routes'
 * own parsers also stop reading a chunked body at their limit) → metrics → the route.
 * Adapters plug in as `HttpPlugin`s; they receive what they need, nothing global. Behind a
 * reverse proxy, SAMLA_TRUST_PROXY names it (Express's `trust proxy`, ./exposureConfig.ts).
 *
 * `close()` is the graceful part of a shutdown: readiness goes 503 at once, the listening socket
 * closes (no new connections), requests already in flight finish (up to `drainTimeoutMs`), new
 * requests on kept-alive connections get 503 with `Connection: close`, then the plugins finish
 * their background work (Slack's work after the ack, Teams' roster syncs).
 */
import type { Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { RedisClient } from '../../adapters/redis/client.ts';
import type { Config } from './config.ts';
import type { HttpPlugin } from '../http/plugin.ts';
import { requestIds } from './logging.ts';
import type { Metrics } from './metrics.ts';
import { isLocalRequest } from '../http/localRequest.ts';
import { timingSafeEqual } from 'node:crypto';

/** What the server itself uses (the composition root's AppDeps has it all). */
export interface ServerDeps {
  config: Pick<Config, 'port' | 'metricsToken' | 'trustProxy' | 'metricsPort'>;
  /** Readiness: resolves when Redis answers PING. */
  redisPing(): Promise<unknown>;
  logger: Logger;
  /** Prometheus metrics (./metrics.ts); without it /metrics answers 404. */
  metrics?: Metrics;
}

export type { HttpPlugin } from '../http/plugin.ts';

/** A readiness check: resolves when ready, throws (or rejects) with the reason when not. */
export type ReadinessCheck = () => Promise<void> | void;

export interface ServerOptions {
  /** Largest request body accepted (by Content-Length), default MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** How long `close()` waits for requests in flight before cutting connections, default 15 s. */
  drainTimeoutMs?: number;
  /** Demo mode: /metrics also answers this machine without a token. Otherwise only with the token (or on SAMLA_METRICS_PORT). */
  localMetrics?: boolean;
}

/** 1 MiB: well above Slack's and Teams' largest payloads. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Each readiness check must answer within this, or counts as failed. */
const CHECK_TIMEOUT_MS = 1500;

/** Liveness, readiness and draining state of one server. */
export class Health {
  private readonly checks = new Map<string, ReadinessCheck>();
  draining = false;

  /** Adds (or replaces) a named readiness check, e.g. "deliveries" once the workers run. */
  addCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Runs every check; `ok` only when all pass and the server is not draining. */
  async readiness(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    if (this.draining) checks.shutdown = 'shutting down';
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(check),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
            }),
          ]);
          checks[name] = 'ok';
        } catch (err) {
          checks[name] = err instanceof Error ? err.message : String(err);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
  }
}

export interface RunningServer {
  app: Express;
  server: Server;
  port: number;
  /** The /metrics-only listener on 127.0.0.1 (SAMLA_METRICS_PORT), when configured. */
  metricsPort?: number;
  health: Health;
  /** Requests being handled right now. */
  inFlight(): number;
  close(): Promise<void>;
}

/** The route label of a request for metrics: a known path, or "other" (never the raw URL). */
function routeOf(path: string): string {
  return KNOWN_ROUTES.has(path) ? path : 'other';
}
const KNOWN_ROUTES = new Set(['/slack/events', '/slack/install', '/slack/oauth_redirect', '/api/messages', '/healthz', '/readyz', '/metrics']);

/** 413 for a body announced larger than `max`, before any parser reads it. */
export function bodyLimit(max: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > max) {
      res.setHeader('connection', 'close');
      res.status(413).json({ error: 'body_too_large', message: `The request body is larger than ${max} bytes.` });
      req.resume(); // discard, never parse
      return;
    }
    next();
  };
}

/** Builds the app with the operator routes and the plugins' routes. */
export async function createApp(deps: ServerDeps, plugins: HttpPlugin[], health = new Health(), opts: ServerOptions = {}, tracker = { n: 0 }): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy ?? false);
  app.use(requestIds(deps.logger));
  app.use((req, res, next) => {
    if (health.draining && req.path !== '/healthz') {
      res.setHeader('connection', 'close');
      res.status(503).json({ error: 'shutting_down', message: 'Samla is restarting; try again in a moment.' });
      return;
    }
    tracker.n++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        tracker.n--;
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  });
  app.use(bodyLimit(opts.maxBodyBytes ?? MAX_BODY_BYTES));
  const metrics = deps.metrics;
  if (metrics) {
    app.use((req, res, next) => {
      const stop = metrics.httpDuration.startTimer();
      metrics.inFlight.inc();
      res.once('finish', () => {
        metrics.inFlight.dec();
        stop({ route: routeOf(req.path), method: req.method, status: String(res.statusCode) });
      });
      next();
    });
    // Metrics name networks and their signals: a scraper with the token; without it only this
    // machine in demo mode (elsewhere a proxy on this machine could make every visitor local).
    app.get(
      '/metrics',
      (req, res, next) => {
        const token = deps.config.metricsToken;
        const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        if ((token !== undefined && bearer !== undefined && safeEqual(bearer, token)) || (opts.localMetrics && isLocalRequest(req))) return next();
        res
          .status(403)
          .type('text/plain')
          .send(
            opts.localMetrics
              ? 'Metrics are served to this machine, or with Authorization: Bearer <SAMLA_METRICS_TOKEN>.\n'
              : 'Metrics need Authorization: Bearer <SAMLA_METRICS_TOKEN>, or set SAMLA_METRICS_PORT to serve them on 127.0.0.1 without a token.\n',
          );
      },
      metrics.handler(),
    );
  }
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  health.addCheck('redis', async () => {
    await deps.redisPing();
  });
  app.get('/readyz', async (_req, res) => {
    const r = await health.readiness();
    res.status(r.ok ? 200 : 503).json(r);
  });
  for (const p of plugins) await p.mount(app);
  return app;
}

/** Listens on `port` (0 for any free port, in tests). */
export async function startServer(deps: ServerDeps, plugins: HttpPlugin[], port = deps.config.port, host?: string, opts: ServerOptions = {}): Promise<RunningServer> {
  const health = new Health();
  const tracker = { n: 0 };
  const app = await createApp(deps, plugins, health, opts, tracker);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host ?? '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Longer than a load balancer's idle timeout (AWS ALB: 60 s), so it never reuses a closed socket.
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  deps.logger.info({ port: actualPort, plugins: plugins.map((p) => p.name) }, 'Samla listening');
  const metricsServer = await startMetricsListener(deps).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  });
  let closing: Promise<void> | undefined;
  return {
    app,
    server,
    port: actualPort,
    ...(metricsServer ? { metricsPort: (metricsServer.address() as { port: number }).port } : {}),
    health,
    inFlight: () => tracker.n,
    close: () =>
      (closing ??= (async () => {
        health.draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + (opts.drainTimeoutMs ?? 15_000);
        while (tracker.n > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        if (tracker.n > 0) deps.logger.warn({ inFlight: tracker.n }, 'shutdown: requests still in flight after the drain timeout; closing their connections');
        server.closeAllConnections();
        await closed;
        if (metricsServer) {
          metricsServer.closeAllConnections();
          await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        }
        for (const p of plugins) await p.close?.();
      })()),
  };
}

/** SAMLA_METRICS_PORT: /metrics alone, without a token, on 127.0.0.1 (never another interface). */
async function startMetricsListener(deps: ServerDeps): Promise<Server | undefined> {
  const { metricsPort } = deps.config;
  const metrics = deps.metrics;
  if (metricsPort === undefined || !metrics) return undefined;
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.handler());
  app.use((_req, res) => void res.status(404).type('text/plain').send('This port serves GET /metrics only.\n'));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(metricsPort, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  deps.logger.info({ port: (server.address() as { port: number }).port }, 'Metrics listening on 127.0.0.1');
  return server;
}

/** Compares secrets in constant time. */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
