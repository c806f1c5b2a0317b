import { Client } from 'pg';
import { PG_CONNECT_TIMEOUT_MS } from './pg-connection-options';

/** Connects once and runs a query: throws a message an operator can act on when Postgres does not answer. */
export async function checkPostgresReachable(url: string, timeoutMs = PG_CONNECT_TIMEOUT_MS): Promise<string> {
  const parsed = new URL(url);
  const where = `${parsed.host}${parsed.pathname}`;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined); // reported by the failed connect/query below
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    return rows[0].v;
  } catch (err) {
    throw new Error(`Postgres at ${where} does not answer (${(err as Error).message}); check DATABASE_URL and that Postgres runs`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
