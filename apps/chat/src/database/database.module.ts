import { MigratedDataSourceOptions, openMigratedDataSource } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ChatConfigModule } from '../config/chat-config.module';
import { chatDataSourceOptions } from './chat-data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ChatConfigModule],
      inject: [CHAT_CONFIG],
      dataSourceFactory: (options) => openMigratedDataSource(options as MigratedDataSourceOptions),
      useFactory: (config: ChatConfig) => chatDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE, config.DATABASE_MIGRATION_URL, config.DATABASE_PREPARED_STATEMENTS),
    }),
  ],
})
export class DatabaseModule {}
