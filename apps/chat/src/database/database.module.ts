import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ConfigModule } from '../config/config.module';
import { CHAT_ENTITIES, CHAT_MIGRATIONS, CHAT_SCHEMA } from './chat-entities';

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
