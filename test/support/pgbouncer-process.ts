import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from './eventually';
import { freePort } from './free-port';
import { CapturedProcess, spawnCaptured } from './service-process';

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  label: string;
  /** The test's database URL (straight to Postgres); PgBouncer serves that one database under its name. */
  target: string;
  /** Server connections per (database, user): what Postgres sees at most from everyone through this PgBouncer. */
  poolSize: number;
  /** More [pgbouncer] settings, e.g. `{ idle_transaction_timeout: '20' }`. */
  settings?: Record<string, string>;
}

export interface PgBouncerProcess {
  port: number;
  poolSize: number;
  /** `url` (a URL of the target database) with host and port at PgBouncer. */
  url(url: string): string;
  /** A statement on the admin console (database `pgbouncer`; simple protocol only, as pg uses without parameters). */
  admin<T = Record<string, string>>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * A private PgBouncer (Debian's 1.18 binary) on a free port in transaction pooling mode, in front of
 * the test's database on the shared Postgres; trust auth from a generated userlist. As root it runs
 * as `postgres` (PgBouncer refuses root without -u), so its directory is handed to that user.
 * The config is the one docs/operations.md "PgBouncer" recommends, with a pool size of the test's.
 */
export async function startPgBouncer(opts: PgBouncerOptions): Promise<PgBouncerProcess> {
  if (!existsSync(PGBOUNCER_BINARY)) throw new Error(`${PGBOUNCER_BINARY} missing: apt-get install pgbouncer (.ci/run does)`);
  const target = new URL(opts.target);
  const database = decodeURIComponent(target.pathname.slice(1));
  const user = decodeURIComponent(target.username) || 'postgres';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gc-pgbouncer-'));
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(dir, 'userlist.txt'),
    admin_users: user,
    pool_mode: 'transaction',
    default_pool_size: String(opts.poolSize),
    max_client_conn: '500',
    // Answered before the apps' pg socket-silence bound (20 s) would cut the waiting client.
    query_wait_timeout: '15',
    ignore_startup_parameters: 'extra_float_digits',
    log_connections: '0',
    log_disconnections: '0',
    stats_period: '3600',
    ...opts.settings,
  };
  const ini = [
    '[databases]',
    `${database} = host=${target.hostname} port=${target.port || '5432'} dbname=${database}`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
  ].join('\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), `${ini}\n`);
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { uid, gid } = postgresIds();
    for (const f of [dir, join(dir, 'pgbouncer.ini'), join(dir, 'userlist.txt')]) chownSync(f, uid, gid);
  }
  const proc: CapturedProcess = spawnCaptured(`${opts.label}-pgbouncer`, PGBOUNCER_BINARY, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  });
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const admin = async <T,>(sql: string): Promise<T[]> => {
    const client = new Client({ host: '127.0.0.1', port, user, database: 'pgbouncer', connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  try {
    await eventually(
      async () => {
        if (exitCode !== undefined) throw new Error(`pgbouncer exited with ${exitCode}: ${proc.output()}`);
        return (await admin('SHOW VERSION')).length === 1;
      },
      { timeoutMs: 10_000, what: `pgbouncer on ${port}` },
    );
  } catch (err) {
    proc.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    poolSize: opts.poolSize,
    url(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    admin,
    async stop() {
      // SIGINT would wait for every client to leave; SIGTERM shuts down at once.
      if (exitCode === undefined) proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `postgres` system user's ids (Debian's postgresql package creates it). */
function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}
