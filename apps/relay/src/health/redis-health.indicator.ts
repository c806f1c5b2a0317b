import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Cluster } from 'ioredis';
import { RELAY_REDIS, type RelayRedis } from '../redis/relay-redis.module';

const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(RELAY_REDIS) private readonly redis: RelayRedis,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis') {
    const indicator = this.health.check(key);
    try {
      // ioredis queues commands while reconnecting; health must answer now, not when Redis is back.
      const pongs = await Promise.race([
        Promise.all(this.targets().map((node) => node.ping())),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS).unref()),
      ]);
      const odd = pongs.find((pong) => pong !== 'PONG');
      return odd === undefined ? indicator.up() : indicator.down({ message: `unexpected ${odd}` });
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** On a cluster every master holds some queues: the relay is healthy only when each answers (a PING to the cluster asks one node). */
  private targets() {
    if (!(this.redis instanceof Cluster)) return [this.redis];
    const masters = this.redis.nodes('master');
    return masters.length > 0 ? masters : [this.redis];
  }
}
