import { openMigratedDataSource, resilientPgPoolOptions } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { CommandEntity } from './command.entity';
import { ConnectionEntity } from './connection.entity';
import { InboxMessageEntity } from './inbox-message.entity';
import { AGENT_MIGRATIONS } from './migrations/agent-migrations';

export const AGENT_SCHEMA = 'agent';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AGENT_CONFIG],
      dataSourceFactory: (options) => openMigratedDataSource(options as DataSourceOptions & { url: string; schema: string }),
      useFactory: (config: AgentConfig) => {
        return {
          type: 'postgres' as const,
          url: config.DATABASE_URL,
          schema: AGENT_SCHEMA,
          entities: [ConnectionEntity, CommandEntity, InboxMessageEntity],
          migrations: AGENT_MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'each' as const,
          synchronize: false,
          // Transactions are short (no relay IO inside one); a small pool leaves Postgres room for replicas.
          extra: resilientPgPoolOptions(AGENT_SCHEMA, 10),
        };
      },
    }),
  ],
})
export class PersistenceModule {}
