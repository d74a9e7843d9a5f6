/**
 * Configuration from the environment, validated once at start-up. Nothing else in Samla reads
 * `process.env`: the composition root calls `readConfig()` and passes the result on.
 */
import { z } from 'zod';
import { SamlaError } from '../core/errors.ts';

const redisUrl = z
  .string()
  .trim()
  .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379')
  .refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid URL, e.g. redis://127.0.0.1:6379');

const envSchema = z.object({
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  SAMLA_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'use 1-64 letters, digits, ".", "_", "-" or ":" (no braces), e.g. samla:')
    .default('samla:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3978),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SAMLA_METRICS_TOKEN: z.string().regex(/^\S{16,}$/, 'use at least 16 characters without spaces, e.g. from openssl rand -hex 16').optional(),
});

export type Config = {
  redisUrl: string;
  redisPrefix: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  port: number;
  nodeEnv: z.infer<typeof envSchema>['NODE_ENV'];
  /** Bearer token for GET /metrics from other machines; without it /metrics answers only this machine. */
  metricsToken?: string;
};

/** Reads and validates the environment. Empty strings count as unset. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      const value = name ? JSON.stringify(env[name]) : '';
      return `${name}=${value}: ${i.message}`;
    });
    throw new SamlaError('INVALID_CONFIG', 'The environment is not valid; fix these variables (see .env.example):', {
      details,
    });
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SAMLA_REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    nodeEnv: e.NODE_ENV,
    ...(e.SAMLA_METRICS_TOKEN ? { metricsToken: e.SAMLA_METRICS_TOKEN } : {}),
  };
}
