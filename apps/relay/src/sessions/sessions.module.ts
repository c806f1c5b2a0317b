import { Module } from '@nestjs/common';
import { QueueStorageModule } from '../queues/queue-storage.module';
import { SessionRegistry } from './session-registry';
import { SessionsController } from './sessions.controller';

@Module({
  imports: [QueueStorageModule],
  controllers: [SessionsController],
  providers: [SessionRegistry],
  exports: [SessionRegistry],
})
export class SessionsModule {}
