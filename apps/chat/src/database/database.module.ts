import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ConfigModule } from '../config/config.module';
import { CHAT_ENTITIES, CHAT_MIGRATIONS, CHAT_SCHEMA } from './chat-entities';
import { survivePostgresDisconnects } from './pg-client-errors';

/** TypeORM runs migrations inside the schema, so the schema must exist before it connects. */
async function ensureSchema(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${CHAT_SCHEMA}`);
  } finally {
    await client.end();
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CHAT_CONFIG],
      dataSourceFactory: async (options) => {
        const log = new Logger('Postgres');
        const dataSource = await new DataSource(options as DataSourceOptions).initialize();
        return survivePostgresDisconnects(dataSource, (err) => log.warn(`Postgres connection lost: ${err.message}`));
      },
      useFactory: async (config: ChatConfig) => {
        await ensureSchema(config.DATABASE_URL);
        return {
          type: 'postgres' as const,
          url: config.DATABASE_URL,
          schema: CHAT_SCHEMA,
          entities: CHAT_ENTITIES,
          migrations: CHAT_MIGRATIONS,
          migrationsRun: true,
          synchronize: false,
          extra: { options: `-c search_path=${CHAT_SCHEMA}`, max: 20 },
        };
      },
    }),
  ],
})
export class DatabaseModule {}
