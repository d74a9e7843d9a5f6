/**
 * What a CLI command needs from the world, passed in so tests can run commands in-process.
 */
import type { PersonData } from '../../adapters/redis/personData.ts';
import type { InstallationInfo } from '../../adapters/redis/slackInstallations.ts';
import type { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import type { Config } from '../app/config.ts';
import type { DeliveryRuntime } from '../app/deliveryRuntime.ts';
import type { Env } from '../app/env.ts';
import type { RetentionReport } from '../app/retention.ts';
import type { Platform } from '../core/model.ts';
import type { ChatPlatform, NetworkStore } from '../core/ports.ts';
import type { ScheduleStore } from '../core/scheduler/ports.ts';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  /** The environment's settings, read once by the composition root (src/cli/main.ts). */
  settings: Env;
  cwd: string;
  now: () => Date;
  /** Opens the store on first use; commands that need no Redis never connect. */
  store(): Promise<NetworkStore>;
  /** Everything Samla holds about a person, to export or forget (`samla person`); on the store's connection. */
  personData(): Promise<PersonData>;
  /** Where Samla reaches people and tenants in Teams (`samla network show`). */
  teamsReferences(): Promise<TeamsReferenceStore>;
  /** The Slack workspaces Samla is installed in, without their tokens (`samla network show`). */
  slackInstallations(): Promise<InstallationInfo[]>;
  /** Deletes the reflection notes whose retention ran out by now (`samla retention`). */
  retention(months: number): Promise<RetentionReport>;
  config(): Config;
  /** Occurrence states (what was sent, skipped, failed), on the store's Redis connection. */
  schedule(): Promise<ScheduleStore>;
  /** The scheduler's store and delivery queues on the same Redis; opened on first use, closed when the command ends. */
  delivery(): Promise<DeliveryRuntime>;
  /** Resolves when a long-running command (`start`) should stop; default: SIGINT or SIGTERM. */
  untilStopped?: () => Promise<void>;
  /** The chat platforms `--deliver` sends through; throws INVALID_CONFIG when none is configured. */
  platforms(): Promise<Partial<Record<Platform, ChatPlatform>>>;
}

export function line(out: Output, text = ''): void {
  out.write(text + '\n');
}

export function printJson(out: Output, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}
