import { openMigratedDataSource } from '@gc/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ChatConfigModule } from '../config/chat-config.module';
import { chatDataSourceOptions } from './chat-data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ChatConfigModule],
      inject: [CHAT_CONFIG],
      dataSourceFactory: (options) => openMigratedDataSource(options as DataSourceOptions & { url: string; schema: string }),
      useFactory: (config: ChatConfig) => chatDataSourceOptions(config.DATABASE_URL),
    }),
  ],
})
export class DatabaseModule {}
