/**
 * Samla through Redis Sentinel (issue 14): one master, one replica and one sentinel started
 * from redis-server on free ports (test/helpers/cluster.ts). REDIS_SENTINELS with
 * REDIS_SENTINEL_NAME connects to the master the sentinel names; the store imports and reads
 * there, and the write reaches the replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisStore } from '../../adapters/redis/store.ts';
import { isCluster } from '../../adapters/redis/client.ts';
import { readEnv } from '../../src/app/env.ts';
import type { SamlaError } from '../../src/core/errors.ts';
import { redisTarget } from '../../src/app/config.ts';
import { checkRedisReady, connectRedis, type RedisClient } from '../../src/app/redis.ts';
import { RedisSentinelServers } from '../helpers/cluster.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';

let servers: RedisSentinelServers;
let redis: RedisClient | undefined;

beforeAll(async () => {
  servers = await RedisSentinelServers.start();
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await servers?.stop();
});

describe('Redis through Sentinel', () => {
  it('connects to the master the sentinel names, from REDIS_SENTINELS and REDIS_SENTINEL_NAME', async () => {
    const config = readEnv({ REDIS_SENTINELS: servers.sentinels, REDIS_SENTINEL_NAME: servers.name }).config;
    expect(config.redisSentinels).toEqual([{ host: '127.0.0.1', port: servers.sentinel.port }]);
    redis = await connectRedis(redisTarget(config));
    expect(isCluster(redis)).toBe(false);
    await checkRedisReady(redis);
    const store = new RedisStore(redis, { prefix: 'samla-test:sentinel:' });
    const result = await store.importNetwork(exampleNetwork(), { now: new Date('2027-01-05T10:00:00Z') });
    expect(result.created).toBe(true);
    expect((await store.getNetwork('agder-helse-2027'))?.id).toBe('agder-helse-2027');

    // The write went to the master and replicates to the replica.
    const replica = new Redis(servers.replica.port, '127.0.0.1');
    replica.on('error', () => {});
    try {
      const key = store.keys.def('agder-helse-2027');
      const deadline = Date.now() + 5000;
      while ((await replica.exists(key)) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await replica.exists(key)).toBe(1);
    } finally {
      replica.disconnect();
    }
  });

  it('explains a list of sentinels it cannot read', () => {
    let thrown: unknown;
    try {
      void readEnv({ REDIS_SENTINELS: '10.0.0.1:26379,127.0.0.1' }).config;
    } catch (err) {
      thrown = err;
    }
    expect((thrown as SamlaError).details).toEqual([
      'REDIS_SENTINELS="10.0.0.1:26379,127.0.0.1": "127.0.0.1" is not host:port; give REDIS_SENTINELS as a comma-separated list, e.g. 10.0.0.1:6379,10.0.0.2:6379',
    ]);
  });
});
