import { Module } from '@nestjs/common';
import { MessageArrivals } from './message-arrivals';
import { QueueStore } from './queue-store';
import { QueuesController } from './queues.controller';

@Module({
  controllers: [QueuesController],
  providers: [QueueStore, MessageArrivals],
  exports: [QueueStore, MessageArrivals],
})
export class QueuesModule {}
