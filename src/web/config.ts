/**
 * The web pages' settings, read from the environment once and validated with zod.
 *
 * | variable                        | meaning                                                          |
 * |---------------------------------|------------------------------------------------------------------|
 * | `SAMLA_DASHBOARD_SECRET`        | signs the dashboard's sign-in links and sessions (HMAC-SHA256); at least 32 characters. Without it, the dashboard is closed except in demo mode on localhost |
 * | `SAMLA_PUBLIC_URL`              | the address people reach Samla at, e.g. https://samla.example.no; the sign-in links point there (default: http://localhost:<port>) |
 * | `SAMLA_DASHBOARD_LINK_MINUTES`  | how long a sign-in link works, default 15 (a session then lasts 8 hours) |
 */
import { z } from 'zod';
import { SamlaError } from '../core/errors.ts';

const schema = z.object({
  SAMLA_DASHBOARD_SECRET: z.string().min(32, 'must be at least 32 characters, e.g. the output of: openssl rand -hex 32').optional(),
  SAMLA_PUBLIC_URL: z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash;
      } catch {
        return false;
      }
    }, 'must be an http(s) address without query, e.g. https://samla.example.no')
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  SAMLA_DASHBOARD_LINK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
});

export const WEB_ENV_NAMES = ['SAMLA_DASHBOARD_SECRET', 'SAMLA_PUBLIC_URL', 'SAMLA_DASHBOARD_LINK_MINUTES'] as const;

/** A session made from a sign-in link lasts this long. */
export const SESSION_HOURS = 8;

export interface WebConfig {
  secret?: string;
  publicUrl?: string;
  linkMinutes: number;
}

/** Reads the web settings; empty strings count as unset. Throws INVALID_CONFIG naming the variable. */
export function readWebConfig(env: NodeJS.ProcessEnv): WebConfig {
  const present = Object.fromEntries(WEB_ENV_NAMES.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'The dashboard settings are not valid; fix these variables (see .env.example):', {
      // Never print the secret itself.
      details: parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`),
    });
  }
  const e = parsed.data;
  return {
    ...(e.SAMLA_DASHBOARD_SECRET ? { secret: e.SAMLA_DASHBOARD_SECRET } : {}),
    ...(e.SAMLA_PUBLIC_URL ? { publicUrl: e.SAMLA_PUBLIC_URL } : {}),
    linkMinutes: e.SAMLA_DASHBOARD_LINK_MINUTES,
  };
}
