/**
 * The web pages' settings, read from the environment once by the composition root
 * (src/app/env.ts, which checks them with zod) and passed in.
 *
 * | variable                        | meaning                                                          |
 * |---------------------------------|------------------------------------------------------------------|
 * | `SAMLA_DASHBOARD_SECRET`        | signs the dashboard's sign-in links and sessions (HMAC-SHA256); at least 32 characters. Without it, the dashboard is closed except in demo mode on localhost |
 * | `SAMLA_PUBLIC_URL`              | the address people reach Samla at, e.g. https://samla.example.no; the sign-in links point there (default: http://localhost:<port>) |
 * | `SAMLA_DASHBOARD_LINK_MINUTES`  | how long a sign-in link works, default 15 (a session then lasts 8 hours) |
 */
/** A session made from a sign-in link lasts this long. */
export const SESSION_HOURS = 8;

export interface WebConfig {
  secret?: string;
  publicUrl?: string;
  linkMinutes: number;
}
