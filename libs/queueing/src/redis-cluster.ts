import { Cluster, type ClusterOptions } from 'ioredis';
import { REDIS_CONNECT_TIMEOUT_MS, REDIS_KEEPALIVE_MS, REDIS_SOCKET_SILENCE_MS, redisReconnectDelay } from './redis-connection';

export interface RedisNode {
  host: string;
  port: number;
}

/** Seeds are a bootstrap list, not the cluster's size; more than this is a mistake in the env. */
const MAX_SEEDS = 64;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$|^\[[0-9A-Fa-f:.]+\]$/;

/**
 * REDIS_CLUSTER_NODES: comma-separated `host:port` seeds (`[v6]:port` for IPv6). Throws a message
 * naming the bad entry; an empty string means "no cluster" (REDIS_URL then).
 */
export function parseClusterNodes(raw: string): RedisNode[] {
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  if (entries.length > MAX_SEEDS) throw new Error(`at most ${MAX_SEEDS} seeds, got ${entries.length}`);
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(':');
    const host = colon > 0 ? entry.slice(0, colon) : '';
    const portText = colon > 0 ? entry.slice(colon + 1) : '';
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!HOST.test(host) || !(port >= 1 && port <= 65_535)) throw new Error(`"${entry}" is not host:port`);
    return { host: host.replace(/^\[|\]$/g, ''), port };
  });
}

/**
 * ioredis' Cluster client with the same bounds as a single Redis connection (socket silence,
 * connect timeout, keepalive, capped reconnect backoff; see redis-connection.ts). Database 0 is
 * the only one a cluster has. BullMQ blocks on Redis: a command never gives up while the cluster
 * is away (maxRetriesPerRequest null, the offline queue on).
 */
export function clusterClient(nodes: readonly RedisNode[], extra: Partial<ClusterOptions> = {}): Cluster {
  return new Cluster([...nodes], {
    clusterRetryStrategy: (times) => redisReconnectDelay(times),
    enableReadyCheck: true,
    slotsRefreshTimeout: REDIS_CONNECT_TIMEOUT_MS,
    ...extra,
    redisOptions: {
      maxRetriesPerRequest: null,
      socketTimeout: REDIS_SOCKET_SILENCE_MS,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      keepAlive: REDIS_KEEPALIVE_MS,
      ...extra.redisOptions,
    },
  });
}
