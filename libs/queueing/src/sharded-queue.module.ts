import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ShardedQueue, type ShardedQueueConfig } from './sharded-queue';

/** The DI token of a contract queue's shards; inject it with InjectShardedQueue(name). */
export const shardedQueueToken = (name: string): string => `ShardedQueue:${name}`;
export const InjectShardedQueue = (name: string): ParameterDecorator => Inject(shardedQueueToken(name));

const OPENED = Symbol('ShardedQueues:opened');

export interface ShardedQueuesOptions {
  names: readonly string[];
  inject: any[];
  useFactory: (...deps: any[]) => ShardedQueueConfig;
}

/**
 * The contract queues of an app, each a ShardedQueue, provided to every module. They close at
 * application shutdown, i.e. after every onModuleDestroy — where the workers close — so workers
 * always close before queues.
 */
@Global()
@Module({})
export class ShardedQueuesModule implements OnApplicationShutdown {
  constructor(@Inject(OPENED) private readonly opened: ShardedQueue[]) {}

  static forRootAsync(options: ShardedQueuesOptions): DynamicModule {
    const CONFIG = Symbol('ShardedQueues:config');
    const queues: Provider[] = options.names.map((name) => ({
      provide: shardedQueueToken(name),
      inject: [CONFIG],
      useFactory: (config: ShardedQueueConfig) => ShardedQueue.open(name, config),
    }));
    return {
      module: ShardedQueuesModule,
      providers: [
        { provide: CONFIG, inject: options.inject, useFactory: options.useFactory },
        ...queues,
        { provide: OPENED, inject: options.names.map(shardedQueueToken), useFactory: (...opened: ShardedQueue[]) => opened },
      ],
      exports: options.names.map(shardedQueueToken),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.opened.map((q) => q.close()));
  }
}
