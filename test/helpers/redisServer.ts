/**
 * A private `redis-server` for tests that stop and restart Redis: append-only file with fsync on
 * every write (`--appendonly yes --appendfsync always`), no RDB snapshots, in its own folder on a
 * free port. `crash()` kills it with SIGKILL (no shutdown save); `start()` again on the same port
 * and folder replays the append-only file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/app/demoRedis.ts';
import { answersPing } from '../setup/redis-global.ts';

export class DurableRedis {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'samla-aof-redis-'));
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async create(): Promise<DurableRedis> {
    const server = new DurableRedis(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing('127.0.0.1', this.port))) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: the server dies without saving anything beyond what the append-only file has. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

