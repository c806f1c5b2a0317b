import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { CommandEntity } from './command.entity';
import { ConnectionEntity } from './connection.entity';
import { InboxMessageEntity } from './inbox-message.entity';
import { AgentSchema1764100000000 } from './migrations/1764100000000-AgentSchema';
import { survivePostgresDisconnects } from './pg-client-errors';

export const AGENT_SCHEMA = 'agent';

// Any constant shared by every agent process; only agents take this advisory lock.
const MIGRATION_LOCK_KEY = 0x61_67_6e_74;

/**
 * Creates the schema (TypeORM's migrations table lives in it) and initializes the data source,
 * which runs the migrations, under a Postgres advisory lock: agent replicas starting together
 * would otherwise race to create the same tables and one of them would exit.
 */
async function initializeMigrated(options: DataSourceOptions & { url: string }): Promise<DataSource> {
  const client = new Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${AGENT_SCHEMA}"`);
    const dataSource = await new DataSource(options).initialize();
    const log = new Logger('Postgres');
    return survivePostgresDisconnects(dataSource, (err) => log.warn(`Postgres connection lost: ${err.message}`));
  } finally {
    await client.end(); // ends the session, which releases the lock
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AGENT_CONFIG],
      dataSourceFactory: (options) => initializeMigrated(options as DataSourceOptions & { url: string }),
      useFactory: (config: AgentConfig) => {
        return {
          type: 'postgres' as const,
          url: config.DATABASE_URL,
          schema: AGENT_SCHEMA,
          entities: [ConnectionEntity, CommandEntity, InboxMessageEntity],
          migrations: [AgentSchema1764100000000],
          migrationsRun: true,
          migrationsTransactionMode: 'each' as const,
          synchronize: false,
          // Transactions are short (no relay IO inside one); a small pool leaves Postgres room for replicas.
          extra: { options: `-c search_path=${AGENT_SCHEMA}`, max: 10 },
        };
      },
    }),
  ],
})
export class PersistenceModule {}
