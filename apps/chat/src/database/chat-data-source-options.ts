import { MigratedDataSourceOptions, PreparedStatementsMode, resilientPgPoolOptions } from '@gc/persistence';
import { CHAT_SCHEMA } from '../config/chat-schema';
import { CHAT_ENTITIES, CHAT_MIGRATIONS } from './chat-entities';

/**
 * The chat's database as the app and its specs open it: schema `chat` with migrations (never
 * synchronize, run at start by openMigratedDataSource); raw SQL names its tables schema-qualified
 * (config/chat-schema), so no search_path is needed and it works through PgBouncer in transaction
 * mode; bounded connects and a silence bound on every socket (@gc/persistence). 20 clients by
 * default (DATABASE_POOL_SIZE): the events worker and the API share them.
 */
export function chatDataSourceOptions(
  url: string,
  poolSize = 20,
  migrationUrl?: string,
  preparedStatements: PreparedStatementsMode = 'auto',
): MigratedDataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrationUrl,
    preparedStatements,
    schema: CHAT_SCHEMA,
    entities: CHAT_ENTITIES,
    migrations: CHAT_MIGRATIONS,
    synchronize: false,
    extra: resilientPgPoolOptions(poolSize),
  };
}
