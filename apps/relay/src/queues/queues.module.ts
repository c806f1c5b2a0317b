import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { QueueStorageModule } from './queue-storage.module';
import { QueueOperations } from './queue-operations';
import { QueuesController } from './queues.controller';

@Module({
  // Sessions: a create may subscribe the new queue to the caller's stream in the same request.
  imports: [QueueStorageModule, SessionsModule],
  controllers: [QueuesController],
  // POST /batch runs the same operations.
  providers: [QueueOperations],
  exports: [QueueOperations],
})
export class QueuesModule {}
