import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { SessionRegistry } from './session-registry';
import { SessionsController } from './sessions.controller';

@Module({
  imports: [QueuesModule],
  controllers: [SessionsController],
  providers: [SessionRegistry],
})
export class SessionsModule {}
