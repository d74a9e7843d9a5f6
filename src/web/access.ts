/**
 * Who may see the web pages, decided from the request alone:
 *
 * - **Demo mode** (`npm start` with no chat platform configured, or `--demo`; Samla listens on
 *   127.0.0.1 only): the chat page, the time control and the dashboard answer only on this
 *   machine, as src/app/localRequest.ts decides it (a loopback peer with no proxy header and a
 *   localhost Host, or the SAMLA_TRUST_PROXY proxy naming a loopback client; so neither a proxy
 *   on the same machine nor DNS rebinding makes a visitor local). Such a visitor sees every network.
 * - **Otherwise** the dashboard needs sign-in. An organiser types `dashboard` in chat and gets a
 *   link signed for them (HMAC-SHA256 with SAMLA_DASHBOARD_SECRET) that works for
 *   SAMLA_DASHBOARD_LINK_MINUTES; opening it shows a page whose button (a same-origin POST, so
 *   another site cannot sign a visitor in as someone else) sets a session cookie (signed the
 *   same way, 8 hours, HttpOnly, SameSite=Lax, Secure on https; signing out revokes it in Redis,
 *   ./sessions.ts) and the dashboard shows the networks that person
 *   organises *now* (checked on every request, so an organiser removed from the network file
 *   loses access at once). No secret: the dashboard is closed.
 *
 * A token is `v1.<claims>.<signature>` in base64url; the claims name the person, the expiry and
 * what the token is for ("link" or "session"), so one cannot stand in for the other. Links are
 * not single-use: chat apps open links to preview them, which would use them up.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { DashboardLink, DashboardLinks } from '../core/journeys/dashboard.ts';
import { normaliseEmail } from '../core/people.ts';
import { SESSION_HOURS } from './config.ts';

export const SESSION_COOKIE = 'samla_dashboard';

export type TokenPurpose = 'link' | 'session';

const claimsSchema = z.object({
  sub: z.string().min(3).max(320),
  exp: z.number().int(),
  typ: z.enum(['link', 'session']),
  /** A random id, so one session can be revoked (logout) without touching the others. */
  jti: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional(),
});

function mac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** A signed token for `email` of the given purpose, valid until `expires`. */
export function signToken(secret: string, email: string, typ: TokenPurpose, expires: Date): string {
  const claims = Buffer.from(JSON.stringify({ sub: normaliseEmail(email), exp: Math.floor(expires.getTime() / 1000), typ, jti: randomBytes(16).toString('base64url') })).toString('base64url');
  const body = `v1.${claims}`;
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

export type TokenCheck = { ok: true; email: string; expires: Date; id?: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks signature, purpose and expiry (signature first, in constant time). */
export function verifyToken(secret: string, token: string, typ: TokenPurpose, now: Date): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || token.length > 2048) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(parts[2]!, 'base64url');
  const expected = mac(secret, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let claims: z.infer<typeof claimsSchema>;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'invalid' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (claims.typ !== typ) return { ok: false, reason: 'invalid' };
  if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, email: claims.sub, expires: new Date(claims.exp * 1000), ...(claims.jti ? { id: claims.jti } : {}) };
}

import { isLocalRequest } from '../http/localRequest.ts';

export { isLocalRequest };

/** The value of one cookie, or undefined. */
export function cookie(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined; // malformed (a lone "%"): no cookie, not a failure
      }
    }
  }
  return undefined;
}

export interface AccessMode {
  /** Demo mode: localhost only, no sign-in. */
  demo: boolean;
  /** SAMLA_DASHBOARD_SECRET; without it (and outside demo mode) the dashboard is closed. */
  secret?: string;
  /** Sessions ended by signing out (./sessions.ts); a session without an id counts as ended. */
  revoked?: (id: string) => Promise<boolean>;
}

/** Who is looking at the dashboard: someone on this machine in demo mode, or a signed-in person. */
export type Viewer = { kind: 'local' } | { kind: 'person'; email: string };

/** Why not; each reason has a text `web.access_<reason>`. */
export type Refusal = { refused: true; status: 401 | 403 | 503; reason: 'local_only' | 'sign_in' | 'not_configured' | 'link_expired' | 'link_invalid' | 'not_organiser' | 'other_network' | 'cross_site' };

export function refusal(status: Refusal['status'], reason: Refusal['reason']): Refusal {
  return { refused: true, status, reason };
}

/** The viewer of a dashboard request (its session cookie), or why it is refused. */
export async function viewerOf(req: Parameters<typeof isLocalRequest>[0], mode: AccessMode, now: Date): Promise<Viewer | Refusal> {
  if (mode.demo) return isLocalRequest(req) ? { kind: 'local' } : refusal(403, 'local_only');
  if (!mode.secret) return refusal(503, 'not_configured');
  const session = cookie(req, SESSION_COOKIE);
  if (!session) return refusal(401, 'sign_in');
  const check = verifyToken(mode.secret, session, 'session', now);
  if (!check.ok) return refusal(401, 'sign_in');
  if (mode.revoked && (!check.id || (await mode.revoked(check.id)))) return refusal(401, 'sign_in');
  return { kind: 'person', email: check.email };
}

/** The dashboard links the chat journeys hand out (`dashboard` in chat). */
export function dashboardLinks(opts: {
  demo: boolean;
  secret?: string;
  /** Where people reach Samla (SAMLA_PUBLIC_URL, else Samla's own local address). */
  baseUrl: () => string;
  linkMinutes: number;
  /** Real time: link lifetimes are real minutes, also in the demo. */
  clock?: () => Date;
}): DashboardLinks {
  const clock = opts.clock ?? (() => new Date());
  return {
    linkFor(email: string): DashboardLink | undefined {
      if (opts.demo) return { url: `${opts.baseUrl()}/dashboard` };
      if (!opts.secret) return undefined;
      const token = signToken(opts.secret, email, 'link', new Date(clock().getTime() + opts.linkMinutes * 60_000));
      return { url: `${opts.baseUrl()}/dashboard/login?token=${encodeURIComponent(token)}`, minutes: opts.linkMinutes };
    },
  };
}

/** The Set-Cookie value of a fresh session for `email`. */
export function sessionCookie(secret: string, email: string, now: Date, secure: boolean): string {
  const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  const value = encodeURIComponent(signToken(secret, email, 'session', expires));
  return `${SESSION_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}
