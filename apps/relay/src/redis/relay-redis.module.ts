import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { clusterClient, redisOptionsFromUrl } from '@gc/queueing';
import Redis, { type Cluster } from 'ioredis';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';

export const RELAY_REDIS = Symbol('RELAY_REDIS');

/** The relay's storage: one Redis (RELAY_REDIS_URL) or a Redis Cluster (RELAY_REDIS_CLUSTER_NODES); the store uses both alike. */
export type RelayRedis = Redis | Cluster;

@Injectable()
class RelayRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(RELAY_REDIS) private readonly redis: RelayRedis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Unlike a BullMQ worker, an HTTP request must fail (5xx) when Redis is away, not hang: one retry.
 * A cluster client ignores that bound while it has no cluster at all (every master away): it
 * holds commands in its own offline queue until one answers again, so there it is off — a request
 * then fails at once, as on a single Redis (test/relay/relay-cluster.e2e-spec.ts saw them hang).
 * Auto-pipelining sends the commands issued in one tick as one write (per master on a cluster),
 * which is what lets the store issue per-key commands side by side (Promise.all) instead of a
 * pipeline, which a cluster could not route when its keys are on several masters.
 */
export function openRelayRedis(config: Pick<RelayConfig, 'redisUrl' | 'redisClusterNodes' | 'name'>): RelayRedis {
  const request = { maxRetriesPerRequest: 1, connectionName: config.name };
  if (config.redisClusterNodes.length > 0) {
    return clusterClient(config.redisClusterNodes, { enableAutoPipelining: true, enableOfflineQueue: false, redisOptions: request });
  }
  return new Redis({ ...redisOptionsFromUrl(config.redisUrl), ...request, enableAutoPipelining: true });
}

@Global()
@Module({
  providers: [
    {
      provide: RELAY_REDIS,
      inject: [RELAY_CONFIG],
      useFactory: (config: RelayConfig) => {
        const redis = openRelayRedis(config);
        // ioredis reconnects by itself; without a listener its errors would go to stderr unformatted.
        const logger = new Logger('RelayRedis');
        let lastMessage = '';
        redis.on('error', (err: Error) => {
          if (err.message !== lastMessage) logger.warn(`redis: ${err.message}`);
          lastMessage = err.message;
        });
        redis.on('ready', () => (lastMessage = ''));
        return redis;
      },
    },
    RelayRedisCloser,
  ],
  exports: [RELAY_REDIS],
})
export class RelayRedisModule {}
