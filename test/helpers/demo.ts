/**
 * `samla start` in this process, as `npm start` runs it, on a free port against the real Redis
 * under a fresh prefix; stopped (and its keys deleted) by `close()`.
 */
import { main } from '../../src/cli/main.ts';
import { testRedis, type TestRedis } from './redis.ts';

export interface StartedSamla {
  /** http://localhost:<port> */
  base: string;
  t: TestRedis;
  stdout(): string;
  /** Stops Samla (expects exit code 0) and deletes its keys. */
  close(): Promise<number>;
}

export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StartedSamla> {
  const t = await testRedis();
  let out = '';
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = main(['start', '--port', '0', ...args], {
    env: { REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000', ...env },
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (out += s) },
    untilStopped: () => stopped,
  });
  const deadline = Date.now() + 15_000;
  let exited: number | undefined;
  void running.then((code) => (exited = code));
  while (!/running on (http:\/\/localhost:\d+)/.test(out)) {
    if (exited !== undefined || Date.now() > deadline) {
      await t.cleanup();
      throw new Error(`Samla did not start (exit ${exited}): ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    base: /running on (http:\/\/localhost:\d+)/.exec(out)![1]!,
    t,
    stdout: () => out,
    async close() {
      stop();
      const code = await running;
      await t.cleanup();
      return code;
    },
  };
}
