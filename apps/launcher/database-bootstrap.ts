import { Client } from 'pg';

const DUPLICATE_DATABASE = '42P04';

/**
 * Creates the database named in `databaseUrl` when it does not exist yet, by connecting to the
 * `postgres` maintenance database of the same server. The apps create their own schemas and run
 * their migrations; they cannot create the database they connect to. Returns true if it created it.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (name === '') throw new Error(`DATABASE_URL "${databaseUrl}" names no database`);
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Postgres at ${target.host} does not answer (${(err as Error).message}); ` +
        'start it (see DEVELOPERS.md) or set DATABASE_URL',
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Two launchers racing on the same name: the other one created it, which is all we wanted.
    if ((err as { code?: string }).code === DUPLICATE_DATABASE) return false;
    throw err;
  } finally {
    await client.end();
  }
}
