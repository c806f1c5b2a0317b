import { Client } from 'pg';

/** The apps' default DATABASE_POOL_SIZE (libs/persistence database-env.ts): what a replica opens at full load. */
export const CHAT_POOL_SIZE = 20;
export const AGENT_POOL_SIZE = 10;

/**
 * Connections the server still accepts for this role: max_connections − in use, less the slots
 * reserved for superusers unless the role is one (the test URLs connect as postgres, which is).
 */
export async function freePostgresConnections(pg: Client): Promise<{ free: number; max: number; inUse: number }> {
  const { rows } = await pg.query(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`,
  );
  const { max, reserved, superuser, in_use: inUse } = rows[0];
  return { free: max - (superuser ? 0 : reserved) - inUse, max, inUse };
}

/** What n agents and n chats may open at full load, pools filled (the bench's own client is extra). */
export function poolConnectionsNeeded(replicas: number, poolSize: { chat: number; agent: number } = { chat: CHAT_POOL_SIZE, agent: AGENT_POOL_SIZE }): number {
  return replicas * (poolSize.chat + poolSize.agent);
}
