import { resilientPgPoolOptions } from '@gc/persistence';
import { DataSourceOptions } from 'typeorm';
import { CHAT_ENTITIES, CHAT_MIGRATIONS, CHAT_SCHEMA } from './chat-entities';

/**
 * The chat's database as the app and its specs open it: schema `chat` with migrations (never
 * synchronize), and `search_path` set too, since the hot paths' raw SQL names tables unqualified;
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
