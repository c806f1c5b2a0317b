import { openMigratedDataSource } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ConfigModule } from '../config/config.module';
import { CHAT_ENTITIES, CHAT_MIGRATIONS, CHAT_SCHEMA } from './chat-entities';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CHAT_CONFIG],
      dataSourceFactory: (options) => openMigratedDataSource(options as DataSourceOptions & { url: string; schema: string }),
      useFactory: (config: ChatConfig) => {
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
