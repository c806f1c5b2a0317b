import type { MigratedDataSourceOptions } from '@gc/persistence';
import { CommandEntity } from './command.entity';
import { ConnectionEntity } from './connection.entity';
import { InboxMessageEntity } from './inbox-message.entity';
import { AGENT_MIGRATIONS } from './migrations/agent-migrations';

export const AGENT_SCHEMA = 'agent';

/** The agent schema's data source: its entities and migrations (the app, and specs on a real Postgres). */
export function agentDataSourceOptions(url: string, extra: Record<string, unknown>): MigratedDataSourceOptions {
  return {
    type: 'postgres' as const,
    url,
    schema: AGENT_SCHEMA,
    entities: [ConnectionEntity, CommandEntity, InboxMessageEntity],
    migrations: AGENT_MIGRATIONS,
    // Run at start by openMigratedDataSource, all in one transaction under its lock.
    synchronize: false,
    extra,
  };
}
