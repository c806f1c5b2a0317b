import { AGENT_COMMANDS_QUEUE, AGENT_EVENTS_QUEUE } from '@gc/contracts';
import { ShardedQueuesModule, shardedQueueConfig } from '@gc/queueing';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { appLoggerParams } from '@gc/observability';
import { CommandExecutor } from './commands/command-executor';
import { CommandJournal } from './commands/command-journal';
import { CommandWorker } from './commands/command-worker';
import { AckHandler } from './commands/handlers/ack.handler';
import { AllowHandler } from './commands/handlers/allow.handler';
import { CreateHandler } from './commands/handlers/create.handler';
import { DeleteHandler } from './commands/handlers/delete.handler';
import { JoinHandler } from './commands/handlers/join.handler';
import { ReceiveQueueProvisioner } from './commands/handlers/receive-queue.provisioner';
import { SendHandler } from './commands/handlers/send.handler';
import { SubscribeHandler } from './commands/handlers/subscribe.handler';
import { AGENT_CONFIG, AgentConfig } from './config/agent-config';
import { AgentConfigModule } from './config/agent-config.module';
import { EventPublisher } from './events/event-publisher';
import { HealthController } from './health/health.controller';
import { AgentMembership } from './inbound/agent-membership';
import { InboundProcessor } from './inbound/inbound-processor';
import { InboxRedelivery } from './inbound/inbox-redelivery';
import { OwnedQueueSubscriber } from './inbound/owned-queue-subscriber';
import { RelaySessions } from './inbound/relay-sessions';
import { AgentMetricsModule } from './metrics/agent-metrics.module';
import { MeteredCommandExecutor } from './metrics/metered-command-executor';
import { ConnectionStore } from './persistence/connection-store';
import { InboxStore } from './persistence/inbox-store';
import { PersistenceModule } from './persistence/persistence.module';
import { PeerChannel } from './protocol/peer-channel';
import { RecipientKeyring } from './relay/recipient-keyring';
import { RelayClient } from './relay/relay-client';
import { RetryModule } from './retry/retry.module';

@Module({
  imports: [
    AgentConfigModule,
    RetryModule,
    LoggerModule.forRootAsync({
      inject: [AGENT_CONFIG],
      useFactory: (c: AgentConfig) => appLoggerParams({ level: c.LOG_LEVEL, format: c.LOG_FORMAT, autoLogging: false }),
    }),
    PersistenceModule,
    // Producer handles: events to publish, commands only to note a retry's progress on its job.
    ShardedQueuesModule.forRootAsync({
      names: [AGENT_EVENTS_QUEUE, AGENT_COMMANDS_QUEUE],
      inject: [AGENT_CONFIG],
      useFactory: (c: AgentConfig) => shardedQueueConfig(c),
    }),
    TerminusModule,
    AgentMetricsModule,
  ],
  controllers: [HealthController],
  providers: [
    RelayClient,
    RecipientKeyring,
    PeerChannel,
    ConnectionStore,
    InboxStore,
    CommandJournal,
    EventPublisher,
    InboundProcessor,
    AgentMembership,
    OwnedQueueSubscriber,
    RelaySessions,
    InboxRedelivery,
    ReceiveQueueProvisioner,
    CreateHandler,
    JoinHandler,
    AllowHandler,
    SendHandler,
    AckHandler,
    DeleteHandler,
    SubscribeHandler,
    { provide: CommandExecutor, useClass: MeteredCommandExecutor },
    CommandWorker,
  ],
})
export class AppModule {}
