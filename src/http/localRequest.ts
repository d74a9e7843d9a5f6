/**
 * "On this machine": demo pages, anonymous (credential-less) Teams and, in demo mode, /metrics
 * use it to refuse everyone else. Who the client is comes from the socket and from
 * configuration, never from a loopback socket plus a Host header alone:
 *
 * - **From the proxy** named in SAMLA_TRUST_PROXY (./exposureConfig.ts, Express's `trust proxy`):
 *   local only when the proxy says so, i.e. it sent `X-Forwarded-For` and the client Express
 *   reads from it (`req.ip`, trusted hops only) is a loopback address. A proxy that rewrites
 *   Host and sends no `X-Forwarded-For` (nginx's default `proxy_pass`) never makes its
 *   visitors local.
 * - **Straight to Samla**: a loopback peer, no proxy header at all (`X-Forwarded-For`,
 *   `Forwarded`, `X-Real-IP`), HTTP/1.1 or later (a proxy on the same machine that is not
 *   declared, such as nginx by default, speaks HTTP/1.0 upstream), and a Host naming localhost
 *   (so a web page elsewhere cannot reach Samla through DNS rebinding).
 *
 * Demo mode also listens on 127.0.0.1 only (src/cli/startCommand.ts).
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What isLocalRequest reads: an Express request, or (in unit tests) something shaped like one. */
export type LocalRequestLike = Pick<IncomingMessage, 'headers'> & {
  socket: { remoteAddress?: string | undefined };
  httpVersion?: string;
  /** Express: the client address after the trusted proxies. */
  ip?: string | undefined;
  /** Express: the app, whose compiled `trust proxy fn` says which peers are proxies. */
  app?: { get(name: string): unknown };
};

type TrustFn = (address: string, hop: number) => boolean;

function hostIsLocal(host: string | undefined): boolean {
  const h = (host ?? '').toLowerCase();
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]!;
  return LOCAL_HOSTS.has(name);
}

/** True for a request made on this machine (see above). */
export function isLocalRequest(req: LocalRequestLike): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const h = req.headers;
  const trust = req.app?.get('trust proxy fn') as TrustFn | undefined;
  if (peer && trust?.(peer, 0)) {
    // The configured proxy: its word (X-Forwarded-For, read by Express) or nothing.
    if (h['x-forwarded-for'] === undefined) return false;
    if (!LOOPBACK.test(req.ip ?? '')) return false;
    const forwardedHost = h['x-forwarded-host'];
    return hostIsLocal(typeof forwardedHost === 'string' ? forwardedHost.split(',')[0]!.trim() : h.host);
  }
  if (!LOOPBACK.test(peer)) return false;
  if (h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined || h['x-forwarded-host'] !== undefined) return false;
  if (req.httpVersion === '1.0') return false;
  return hostIsLocal(h.host);
}

/** True for an http(s) URL whose host is this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}
