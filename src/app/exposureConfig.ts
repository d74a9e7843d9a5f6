/**
 * Who counts as "this machine", from configuration (never from a loopback socket plus a Host
 * header alone). ./env.ts reads the variables with these schemas, into `Config`:
 *
 * | variable             | meaning |
 * |----------------------|---------|
 * | `SAMLA_TRUST_PROXY`  | the reverse proxy in front of Samla: its addresses, comma-separated (`127.0.0.1`, `10.0.0.0/8`, `::1`) or Express's names `loopback`, `linklocal`, `uniquelocal`. Express's `trust proxy` setting: `req.ip` is then the client the proxy names in `X-Forwarded-For`, and a request from the proxy is never "this machine" unless the proxy says the client is (./localRequest.ts) |
 * | `SAMLA_METRICS_PORT` | also serve `GET /metrics` on 127.0.0.1:<port>, without a token (for a Prometheus on the same machine); on PORT, outside demo mode, /metrics needs `Authorization: Bearer <SAMLA_METRICS_TOKEN>` |
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry of SAMLA_TRUST_PROXY: a name, an address, or an address/prefix. */
function proxyEntry(v: string): boolean {
  if (NAMES.has(v)) return true;
  const [ip, prefix, ...rest] = v.split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** SAMLA_TRUST_PROXY: a comma-separated list of proxy addresses, ranges or Express's names. */
export const trustProxySchema = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every(proxyEntry), {
    message: 'list the proxy\'s addresses, comma-separated: 127.0.0.1, 10.0.0.0/8, ::1, or loopback, linklocal, uniquelocal (no hop counts, no "true")',
  });

/** SAMLA_METRICS_PORT: a TCP port. */
export const metricsPortSchema = z.coerce.number().int().min(1).max(65535);
