import { Module } from '@nestjs/common';
import { MessageArrivals } from './message-arrivals';
import { QueueStore } from './queue-store';

/** Queue storage and its arrival signal, shared by the queue routes and push delivery. */
@Module({
  providers: [QueueStore, MessageArrivals],
  exports: [QueueStore, MessageArrivals],
})
export class QueueStorageModule {}
