/**
 * What a CLI command needs from the world, passed in so tests can run commands in-process.
 */
import type { Config } from '../app/config.ts';
import type { NetworkStore } from '../core/ports.ts';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
  /** Opens the store on first use; commands that need no Redis never connect. */
  store(): Promise<NetworkStore>;
  config(): Config;
}

export function line(out: Output, text = ''): void {
  out.write(text + '\n');
}

export function printJson(out: Output, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}
