import { defineConfig } from 'vitest/config';

/**
 * Tests run against a real Redis (see test/setup/redis-global.ts). Test files run in parallel;
 * each one writes under its own key prefix (test/helpers/redis.ts), so they never collide.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/redis-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
  },
});
