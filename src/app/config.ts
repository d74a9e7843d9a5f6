/**
 * The settings every command needs (Redis, logging, the HTTP port), as read from the
 * environment by ./env.ts, the one module that reads it; the composition root passes them on.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

export type Config = {
  redisUrl: string;
  /** Redis Cluster seeds (`REDIS_CLUSTER_NODES`); without them a REDIS_URL naming a cluster node is detected. */
  redisClusterNodes?: { host: string; port: number }[];
  /** Sentinels (`REDIS_SENTINELS`) and the master name they watch (`REDIS_SENTINEL_NAME`). */
  redisSentinels?: { host: string; port: number }[];
  redisSentinelName?: string;
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

/** Where Redis is, as ../app/redis.ts connectRedis takes it. */
export function redisTarget(c: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName'>) {
  return { url: c.redisUrl, clusterNodes: c.redisClusterNodes, sentinels: c.redisSentinels, sentinelName: c.redisSentinelName };
}
