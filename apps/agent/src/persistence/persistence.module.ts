import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { CommandEntity } from './command.entity';
import { ConnectionEntity } from './connection.entity';
import { InboxMessageEntity } from './inbox-message.entity';
import { AgentSchema1764100000000 } from './migrations/1764100000000-AgentSchema';

export const AGENT_SCHEMA = 'agent';

/** TypeORM's migrations table lives in the schema, so the schema must exist before it runs. */
async function ensureSchema(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${AGENT_SCHEMA}"`);
  } finally {
    await client.end();
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AGENT_CONFIG],
      useFactory: async (config: AgentConfig) => {
        await ensureSchema(config.DATABASE_URL);
        return {
          type: 'postgres' as const,
          url: config.DATABASE_URL,
          schema: AGENT_SCHEMA,
          entities: [ConnectionEntity, CommandEntity, InboxMessageEntity],
          migrations: [AgentSchema1764100000000],
          migrationsRun: true,
          migrationsTransactionMode: 'each' as const,
          synchronize: false,
          extra: { options: `-c search_path=${AGENT_SCHEMA}`, max: 20 },
        };
      },
    }),
  ],
})
export class PersistenceModule {}
