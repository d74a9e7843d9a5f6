/**
 * The HTTP server: one Express app on PORT (default 3978) that carries the Slack endpoint
 * (`POST /slack/events`), the Teams endpoint (`POST /api/messages`) and the health checks.
 * Adapters plug in as `HttpPlugin`s; they receive what they need, nothing global.
 */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JourneyContext } from '../core/journeys/context.ts';
import type { IdentityStore, NetworkStore } from '../core/ports.ts';
import type { Config } from './config.ts';

/** What the composition root hands every adapter. */
export interface AppDeps {
  config: Config;
  env: NodeJS.ProcessEnv;
  redis: Redis;
  store: NetworkStore;
  identities: IdentityStore;
  journeys: JourneyContext;
  logger: Logger;
}

/** An adapter's HTTP part: mounts its routes; `close` stops what it started. */
export interface HttpPlugin {
  name: string;
  mount(app: Express): void | Promise<void>;
  close?(): Promise<void>;
}

export interface RunningServer {
  app: Express;
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Builds the app with the health check and the plugins' routes. */
export async function createApp(deps: AppDeps, plugins: HttpPlugin[]): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.redis.ping();
      res.json({ ok: true, redis: 'ok' });
    } catch (err) {
      res.status(503).json({ ok: false, redis: err instanceof Error ? err.message : String(err) });
    }
  });
  for (const p of plugins) await p.mount(app);
  return app;
}

/** Listens on `port` (0 for any free port, in tests). */
export async function startServer(deps: AppDeps, plugins: HttpPlugin[], port = deps.config.port, host?: string): Promise<RunningServer> {
  const app = await createApp(deps, plugins);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host ?? '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  deps.logger.info({ port: actualPort, plugins: plugins.map((p) => p.name) }, 'Samla listening');
  return {
    app,
    server,
    port: actualPort,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of plugins) await p.close?.();
    },
  };
}
