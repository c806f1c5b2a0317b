import { spawn, execFile, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { eventually } from './eventually';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface RedisClusterProcess {
  ports: number[];
  /** REDIS_CLUSTER_NODES for the apps. */
  nodes: string;
  /** A plain URL of one master, for scanKeys: SCAN sees only that master's keys. */
  url(port: number): string;
  /** The port of the master serving `key` (CLUSTER KEYSLOT, CLUSTER SLOTS). */
  masterOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters and no replicas (Debian's redis-server with
 * --cluster-enabled yes on free loopback ports, joined by `redis-cli --cluster create`), for tests
 * of REDIS_CLUSTER_NODES; it never touches the shared Redis. Nothing is kept on disk beyond the
 * nodes.conf in a temporary directory removed by stop().
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'gc-cluster-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      ports.push(port);
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      );
      children.push(child);
      exits.push(new Promise<void>((res) => child.once('exit', () => res())));
    }
    for (const port of ports) {
      await eventually(async () => (await ping(port)) === 'PONG', { timeoutMs: 10_000, what: `cluster node on ${port}` });
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    // Every node must agree that all 16384 slots are served before a client can use the cluster.
    for (const port of ports) {
      await eventually(async () => /cluster_state:ok/.test(await clusterInfo(port)), { timeoutMs: 20_000, what: `cluster_state ok on ${port}` });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    url: (port) => `redis://127.0.0.1:${port}/0`,
    async masterOf(key) {
      const slot = Number(await withClient(ports[0], (c) => c.cluster('KEYSLOT', key)));
      const ranges = await withClient(ports[0], (c) => c.cluster('SLOTS'));
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} is not served`);
      return Number(range[2][1]);
    },
    stop,
  };
}

async function withClient<T>(port: number, work: (c: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await work(client);
  } finally {
    client.disconnect();
  }
}

const ping = (port: number) => withClient(port, (c) => c.ping());
const clusterInfo = (port: number) => withClient(port, async (c) => String(await c.cluster('INFO')));
