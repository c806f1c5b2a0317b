import { MigratedDataSourceOptions, openMigratedDataSource, resilientPgPoolOptions } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
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
      dataSourceFactory: (options) => openMigratedDataSource(options as MigratedDataSourceOptions),
      useFactory: (config: AgentConfig): MigratedDataSourceOptions => {
        return {
          type: 'postgres' as const,
          url: config.DATABASE_URL,
          migrationUrl: config.DATABASE_MIGRATION_URL,
          schema: AGENT_SCHEMA,
          entities: [ConnectionEntity, CommandEntity, InboxMessageEntity],
          migrations: AGENT_MIGRATIONS,
          // Run at start by openMigratedDataSource, all in one transaction under its lock.
          synchronize: false,
          // Transactions are short (no relay IO inside one); a small pool (10 by default) leaves Postgres room for replicas.
          extra: resilientPgPoolOptions(config.DATABASE_POOL_SIZE),
        };
      },
    }),
  ],
})
export class PersistenceModule {}
