/**
 * The contract between the HTTP server (src/app/server.ts) and what plugs into it: the Slack and
 * Teams adapters, the web pages. It lives below both, so an adapter never imports the
 * application: each plugin is a function of exactly the settings and services it needs (typed in
 * the plugin's own module), given by the composition root (src/app/main.ts). None of them is
 * given a Redis connection; repositories and the dispatcher are built by the root.
 */
import type { Express } from 'express';

/** An adapter's HTTP part: mounts its routes; `close` stops what it started. */
export interface HttpPlugin {
  name: string;
  mount(app: Express): void | Promise<void>;
  close?(): Promise<void>;
}
