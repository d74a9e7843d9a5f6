import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests run against a real Redis (see test/setup/redis-global.ts). Test files run in parallel;
 * each one writes under its own key prefix (test/helpers/redis.ts), so they never collide.
 *
 * The load tests (many requests in flight against `samla start` child processes) would take
 * both cores from whatever runs beside them, so they run afterwards, one at a time (project
 * "load", sequence.groupOrder 1); so do the Redis Cluster and Sentinel files (test/cluster/),
 * which start their own redis-server processes.
 */
const LOAD = ['test/reliability/load.test.ts', 'test/reliability/redisRestart.test.ts', 'test/reliability/scale.test.ts', 'test/cluster/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/setup/redis-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    projects: [
      { extends: true, test: { name: 'samla', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LOAD], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'load', include: LOAD, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
