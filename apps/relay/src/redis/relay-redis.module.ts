import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { redisOptionsFromUrl } from '@gc/queueing';
import Redis from 'ioredis';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';

export const RELAY_REDIS = Symbol('RELAY_REDIS');

@Injectable()
class RelayRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(RELAY_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RELAY_REDIS,
      inject: [RELAY_CONFIG],
      useFactory: (config: RelayConfig) =>
        new Redis({
          ...redisOptionsFromUrl(config.redisUrl),
          // Unlike a BullMQ worker, an HTTP request must fail (5xx) when Redis is away, not hang.
          maxRetriesPerRequest: 1,
          connectionName: config.name,
        }),
    },
    RelayRedisCloser,
  ],
  exports: [RELAY_REDIS],
})
export class RelayRedisModule {}
