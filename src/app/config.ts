/**
 * The settings every command needs (Redis, logging, the HTTP port), as read from the
 * environment by ./env.ts, the one module that reads it; the composition root passes them on.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

export type Config = {
  redisUrl: string;
  redisPrefix: string;
  logLevel: (typeof LOG_LEVELS)[number];
  port: number;
  nodeEnv: (typeof NODE_ENVS)[number];
  /** Bearer token for GET /metrics from other machines; without it /metrics answers only this machine. */
  metricsToken?: string;
  /** Express `trust proxy`: the reverse proxy's addresses (`SAMLA_TRUST_PROXY`, ./exposureConfig.ts); none when Samla is reached directly. */
  trustProxy?: string[];
  /** A second listener on 127.0.0.1 serving only /metrics, without a token (`SAMLA_METRICS_PORT`). */
  metricsPort?: number;
};
