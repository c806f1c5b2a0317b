import { MigratedDataSourceOptions, openMigratedDataSource, resilientPgPoolOptions } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { agentDataSourceOptions } from './agent-data-source';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AGENT_CONFIG],
      dataSourceFactory: (options) => openMigratedDataSource(options as MigratedDataSourceOptions),
      useFactory: (config: AgentConfig): MigratedDataSourceOptions => ({
        // Transactions are short (no relay IO inside one); a small pool (10 by default) leaves Postgres room for replicas.
        ...agentDataSourceOptions(config.DATABASE_URL, resilientPgPoolOptions(config.DATABASE_POOL_SIZE)),
        migrationUrl: config.DATABASE_MIGRATION_URL,
        preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      }),
    }),
  ],
})
export class PersistenceModule {}
