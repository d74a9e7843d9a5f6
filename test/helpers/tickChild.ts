/**
 * One scheduler pass in a process of its own, for the crash test (spawned with
 * `node --import tsx`). Environment: REDIS_URL, SAMLA_REDIS_PREFIX, TICK_AT (ISO), BATCH (claims
 * per batch) and STALL_AFTER: after that many claims (claimed, not yet enqueued) it prints
 * "stalled" and stops dead, so the test can SIGKILL it at the worst moment. Prints
 * "claimed <n>" after every batch and "done <json>" when the pass completes.
 */
import { Redis } from 'ioredis';
import { RedisStore } from '../../adapters/redis/store.ts';
import { DeliveryRuntime } from '../../src/app/deliveryRuntime.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../../src/app/schedulerConfig.ts';

const env = process.env;
const at = new Date(env.TICK_AT ?? '');
const stallAfter = Number(env.STALL_AFTER ?? Infinity);
const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new RedisStore(redis, { prefix: env.SAMLA_REDIS_PREFIX });
const runtime = new DeliveryRuntime({
  redis,
  store,
  texts: loadTexts(),
  prefix: env.SAMLA_REDIS_PREFIX,
  clock: () => at,
  config: { ...DEFAULT_SCHEDULER_CONFIG, nudges: undefined }, // the agenda's prompts only, as the test counts them
  tickOptions: {
    batchSize: Number(env.BATCH ?? 500),
    afterClaim: async (claimed) => {
      process.stdout.write(`claimed ${claimed}\n`);
      if (claimed >= stallAfter) {
        process.stdout.write('stalled\n');
        setInterval(() => {}, 60_000);
        await new Promise(() => {});
      }
    },
  },
});
const report = await runtime.tick(at);
process.stdout.write(`done ${JSON.stringify(report.networks.map((n) => ({ network: n.network, enqueued: n.enqueued, resumed: n.resumed })))}\n`);
await runtime.close();
await redis.quit();
