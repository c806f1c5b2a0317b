import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { ShardedQueuesModule, shardedQueueConfig } from '@gc/queueing';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { appLoggerParams } from '@gc/observability';
import { CommandsController } from './commands/commands.controller';
import { CHAT_CONFIG, ChatConfig } from './config/chat-config';
import { ChatConfigModule } from './config/chat-config.module';
import { ContactsController } from './contacts/contacts.controller';
import { DatabaseModule } from './database/database.module';
import { AgentEventsProcessor } from './events/agent-events.processor';
import { EventMetricsObserver } from './events/event-metrics.observer';
import { GroupsController } from './groups/groups.controller';
import { IntroductionRetrier } from './groups/introduction-retrier.service';
import { MembershipController } from './groups/membership.controller';
import { HealthController } from './health/health.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { requestLogSerializers } from './http/request-log';
import { BoardModule } from './board/board.module';
import { MetricsModule } from './metrics/metrics.module';
import { CommandPublisher } from './outbox/command-publisher';
import { UnitOfWork } from './outbox/unit-of-work';
import { ProgressModule } from './progress/progress.module';
import { OutboxReconciler } from './recovery/outbox-reconciler.service';
import { UsersController } from './users/users.controller';

@Module({
  imports: [
    ChatConfigModule,
    LoggerModule.forRootAsync({
      inject: [CHAT_CONFIG],
      useFactory: (config: ChatConfig) =>
        appLoggerParams({
          level: config.LOG_LEVEL,
          format: config.LOG_FORMAT,
          autoLogging: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace',
          pino: { serializers: requestLogSerializers },
        }),
    }),
    DatabaseModule,
    ShardedQueuesModule.forRootAsync({
      names: [AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE],
      inject: [CHAT_CONFIG],
      useFactory: (config: ChatConfig) => shardedQueueConfig(config),
    }),
    TerminusModule,
    BoardModule,
    MetricsModule,
    ProgressModule,
  ],
  controllers: [UsersController, ContactsController, GroupsController, MembershipController, CommandsController, HealthController],
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    CommandPublisher,
    UnitOfWork,
    AgentEventsProcessor,
    EventMetricsObserver,
    OutboxReconciler,
    IntroductionRetrier,
  ],
})
export class ChatModule {}
