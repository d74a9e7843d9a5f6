/**
 * Private Redis Cluster and Sentinel deployments for tests, started from `redis-server` on free
 * ports in their own temporary folders and torn down afterwards. Nothing here touches the shared
 * Redis on 6379.
 *
 * - `RedisClusterServers.start(3)`: three masters (`--cluster-enabled yes`), joined with
 *   `redis-cli --cluster create … --cluster-yes`, ready once every node says `cluster_state:ok`.
 *   Each node keeps an append-only file with fsync on every write, so `restart(i)` (SIGKILL, then
 *   the same port and folder) loses nothing that was acknowledged.
 * - `RedisSentinelServers.start()`: one master, one replica, one sentinel watching them under the
 *   name `samla`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../src/app/demoRedis.ts';
import { answersPing } from '../setup/redis-global.ts';

const exec = promisify(execFile);

/** One redis-server process on its own port and folder. */
class Node {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
    /** A sentinel's config file: the node runs `redis-server <conf> --sentinel`. */
    private readonly sentinelConf?: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async start(): Promise<void> {
    const argv = this.sentinelConf
      ? [this.sentinelConf, '--sentinel', '--port', String(this.port), '--dir', this.dir]
      : ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--protected-mode', 'no', ...this.args];
    this.child = spawn('redis-server', argv, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing('127.0.0.1', this.port))) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await sleep(50);
    }
  }

  /** SIGKILL: no shutdown save; the append-only file keeps what was acknowledged. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function info(port: number, command: string[]): Promise<string> {
  const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  try {
    await c.connect();
    return String(await c.call(command[0]!, ...command.slice(1)));
  } finally {
    c.disconnect();
  }
}

export class RedisClusterServers {
  private constructor(
    readonly dir: string,
    readonly nodes: Node[],
  ) {}

  /** Starts `masters` cluster nodes and creates the cluster over them (no replicas). */
  static async start(masters = 3): Promise<RedisClusterServers> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const p = await freePort();
      // The cluster bus listens on port + 10000: both must be free, and the data port below 55536.
      if (p < 55_536 && !ports.includes(p) && !(await answersPing('127.0.0.1', p + 10_000))) ports.push(p);
    }
    const root = mkdtempSync(path.join(tmpdir(), 'samla-cluster-'));
    const nodes = ports.map(
      (port) =>
        new Node(port, path.join(root, String(port)), [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', '2000',
          '--appendonly', 'yes',
          '--appendfsync', 'always',
        ]),
    );
    const servers = new RedisClusterServers(root, nodes);
    try {
      await Promise.all(nodes.map((n) => n.start()));
      await exec('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
      await servers.waitOk();
    } catch (err) {
      await servers.stop();
      throw err;
    }
    return servers;
  }

  get ports(): number[] {
    return this.nodes.map((n) => n.port);
  }

  /** One node's URL: Samla finds the rest of the cluster from it. */
  get url(): string {
    return `redis://127.0.0.1:${this.nodes[0]!.port}`;
  }

  /** Every node, for REDIS_CLUSTER_NODES. */
  get seeds(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** Waits until every node reports `cluster_state:ok`. */
  async waitOk(): Promise<void> {
    for (const n of this.nodes) await until(`cluster_state:ok on ${n.port}`, async () => (await info(n.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'));
  }

  /** Kills node `i` with SIGKILL (no save). */
  async kill(i: number): Promise<void> {
    await this.nodes[i]!.kill();
  }

  /** Starts node `i` again on its port and folder (it replays its append-only file) and waits for the cluster. */
  async start(i: number): Promise<void> {
    await this.nodes[i]!.start();
    await this.waitOk();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RedisSentinelServers {
  /** The master name the sentinel watches. */
  readonly name = 'samla';
  private constructor(
    readonly dir: string,
    readonly master: Node,
    readonly replica: Node,
    readonly sentinel: Node,
  ) {}

  static async start(): Promise<RedisSentinelServers> {
    const dir = mkdtempSync(path.join(tmpdir(), 'samla-sentinel-'));
    const [mp, rp, sp] = [await freePort(), await freePort(), await freePort()];
    const master = new Node(mp, path.join(dir, 'master'), ['--appendonly', 'no']);
    const replica = new Node(rp, path.join(dir, 'replica'), ['--appendonly', 'no', '--replicaof', '127.0.0.1', String(mp)]);
    const sentinelDir = path.join(dir, 'sentinel');
    mkdirSync(sentinelDir, { recursive: true });
    const conf = path.join(sentinelDir, 'sentinel.conf');
    writeFileSync(
      conf,
      [`port ${sp}`, 'bind 127.0.0.1', `sentinel monitor samla 127.0.0.1 ${mp} 1`, 'sentinel down-after-milliseconds samla 2000', 'sentinel failover-timeout samla 5000', ''].join('\n'),
    );
    const sentinel = new Node(sp, sentinelDir, [], conf);
    const servers = new RedisSentinelServers(dir, master, replica, sentinel);
    try {
      await master.start();
      await replica.start();
      await sentinel.start();
      await until('the sentinel to see the master', async () => (await info(sp, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'samla'])).includes(String(mp)));
    } catch (err) {
      await servers.stop();
      throw err;
    }
    return servers;
  }

  get sentinels(): string {
    return `127.0.0.1:${this.sentinel.port}`;
  }

  async stop(): Promise<void> {
    await Promise.all([this.sentinel.kill(), this.replica.kill(), this.master.kill()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
