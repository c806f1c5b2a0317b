import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
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
      useFactory: (config: RelayConfig) => {
        const redis = new Redis({
          ...redisOptionsFromUrl(config.redisUrl),
          // Unlike a BullMQ worker, an HTTP request must fail (5xx) when Redis is away, not hang.
          maxRetriesPerRequest: 1,
          connectionName: config.name,
        });
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
