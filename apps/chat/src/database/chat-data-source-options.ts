import { resilientPgPoolOptions } from '@gc/persistence';
import { DataSourceOptions } from 'typeorm';
import { CHAT_SCHEMA } from '../config/chat-schema';
import { CHAT_ENTITIES, CHAT_MIGRATIONS } from './chat-entities';

/**
 * The chat's database as the app and its specs open it: schema `chat` with migrations (never
 * synchronize); raw SQL names its tables schema-qualified (config/chat-schema), so no search_path is needed;
 * statement, lock and idle-in-transaction timeouts and a silence bound on every socket (@gc/persistence).
 */
export function chatDataSourceOptions(url: string, poolSize = 20): DataSourceOptions & { url: string; schema: string } {
  return {
    type: 'postgres',
    url,
    schema: CHAT_SCHEMA,
    entities: CHAT_ENTITIES,
    migrations: CHAT_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    extra: resilientPgPoolOptions(CHAT_SCHEMA, poolSize),
  };
}
