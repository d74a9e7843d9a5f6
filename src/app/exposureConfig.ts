/**
 * Who counts as "this machine", from configuration (never from a loopback socket plus a Host
 * header alone), read from the environment and validated with zod:
 *
 * | variable             | meaning |
 * |----------------------|---------|
 * | `SAMLA_TRUST_PROXY`  | the reverse proxy in front of Samla: its addresses, comma-separated (`127.0.0.1`, `10.0.0.0/8`, `::1`) or Express's names `loopback`, `linklocal`, `uniquelocal`. Express's `trust proxy` setting: `req.ip` is then the client the proxy names in `X-Forwarded-For`, and a request from the proxy is never "this machine" unless the proxy says the client is (./localRequest.ts) |
 * | `SAMLA_METRICS_PORT` | also serve `GET /metrics` on 127.0.0.1:<port>, without a token (for a Prometheus on the same machine); on PORT, outside demo mode, /metrics needs `Authorization: Bearer <SAMLA_METRICS_TOKEN>` |
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { SamlaError } from '../core/errors.ts';

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

const schema = z.object({
  SAMLA_TRUST_PROXY: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every(proxyEntry), {
      message: 'list the proxy\'s addresses, comma-separated: 127.0.0.1, 10.0.0.0/8, ::1, or loopback, linklocal, uniquelocal (no hop counts, no "true")',
    })
    .optional(),
  SAMLA_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
});

export const EXPOSURE_ENV_NAMES = ['SAMLA_TRUST_PROXY', 'SAMLA_METRICS_PORT'] as const;

export interface ExposureConfig {
  /** Express `trust proxy`: the proxy's addresses; none when Samla is reached directly. */
  trustProxy?: string[];
  /** A second listener on 127.0.0.1 for /metrics only. */
  metricsPort?: number;
}

/** Reads the settings; empty strings count as unset. Throws INVALID_CONFIG naming the variable. */
export function readExposureConfig(env: NodeJS.ProcessEnv): ExposureConfig {
  const present = Object.fromEntries(EXPOSURE_ENV_NAMES.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new SamlaError('INVALID_CONFIG', 'The environment is not valid; fix these variables (see .env.example):', {
      details: parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`),
    });
  }
  const e = parsed.data;
  return {
    ...(e.SAMLA_TRUST_PROXY ? { trustProxy: e.SAMLA_TRUST_PROXY } : {}),
    ...(e.SAMLA_METRICS_PORT ? { metricsPort: e.SAMLA_METRICS_PORT } : {}),
  };
}
