import { BoundedMap } from '@gc/contracts';
import { createHash } from 'node:crypto';
import { Client, Pool, PoolClient } from 'pg';

/**
 * Named (server-side prepared) statements for the apps' parameterised SQL.
 *
 * pg sends every parameterised query as an unnamed statement unless it is given a `name`, so Postgres
 * parses, analyses and plans it on every call. Measured on a host + 25 group converging
 * (pg_stat_statements with track_planning, docs/benchmarks.md): planning alone took more time than
 * executing (3.1 s vs 2.7 s for 53k statements) and named statements cut Postgres CPU per pair by a third.
 *
 * A named statement lives in one server session. Straight to Postgres that is the pg client's own
 * session; through a pooler in transaction mode (PgBouncer 1.18, docs/operations.md) the next
 * transaction may run on another server session that never saw the Parse, so names are used only
 * where the session is known to be ours:
 * - `on`: always (straight to Postgres, or PgBouncer ≥ 1.21 with `max_prepared_statements`);
 * - `off`: never;
 * - `auto` (default): on when the server sees our own socket at the other end of the session
 *   (`inet_client_addr()/inet_client_port()` equal to the pg socket's local address and port), i.e.
 *   nothing in between — no pooler, no proxy, no NAT. Anything else, a Unix socket included, is off.
 * Whatever the mode, an error that only a pooler sharing sessions causes (a statement missing from,
 * or already in, the session) turns naming off for the process: that query fails and is retried by
 * its caller as any failed statement is, and the ones after it go unnamed.
 */
export type PreparedStatementsMode = 'auto' | 'on' | 'off';
export const PREPARED_STATEMENTS_MODES: readonly PreparedStatementsMode[] = ['auto', 'on', 'off'];

/**
 * Distinct statements one session keeps prepared at most. The apps have ~150 statement texts (some
 * built per batch size); past this bound a session sends the rest unnamed, so a text that varies
 * without bound can never grow a server session's memory without bound.
 */
export const MAX_PREPARED_PER_SESSION = 256;

/**
 * Statements whose plan must follow their parameters' values (a time window whose width decides the
 * index, a start-up scan) begin with this comment and always go unnamed: a named statement may settle
 * on a generic plan after five runs, planned without the values. The plan specs check both plans of
 * every other statement they cover (test/support/query-plan.ts `planKindsOf`).
 */
export const PLANNED_PER_CALL = '/* planned per call */ ';

/** `sql`, marked to be planned for its parameters on every call (never a named statement). */
export function plannedPerCall(sql: string): string {
  return `${PLANNED_PER_CALL}${sql}`;
}

/** 26000 invalid_sql_statement_name, 42P05 duplicate_prepared_statement: a session shared by a pooler. */
const POOLED_SESSION_ERRORS = new Set(['26000', '42P05']);
/**
 * 0A000 "cached plan must not change result type": a table of a `SELECT *`/`RETURNING *` statement
 * changed under a session that prepared it (another replica's migration). Postgres refuses that
 * statement in this session for good, so this session stops naming; a fresh session prepares anew.
 */
const STALE_PLAN_ERROR = '0A000';

/** The process-wide decision, shared by every client of one pool; `onChange` hears each new one. */
export class StatementNaming {
  constructor(
    private active: boolean,
    private reason: string,
    private readonly onChange: (active: boolean, reason: string) => void = () => undefined,
  ) {}

  get enabled(): boolean {
    return this.active;
  }

  set(active: boolean, reason: string): void {
    if (this.active === active && this.reason === reason) return;
    this.active = active;
    this.reason = reason;
    this.onChange(active, reason);
  }
}

/**
 * Names already computed, per text: a SHA-1 per statement was ~1.5% of the chat's CPU in a converging
 * group's profile. Bounded, for texts that vary without bound.
 */
const NAMES = new BoundedMap<string, string>(4 * MAX_PREPARED_PER_SESSION);

/** The server-side name of a statement text: same text, same name, in every session. */
export function statementName(text: string): string {
  const known = NAMES.get(text);
  if (known !== undefined) return known;
  const name = `gc_${createHash('sha1').update(text).digest('base64url')}`;
  NAMES.set(text, name);
  return name;
}

type QueryCallback = (err: Error | null, result?: unknown) => void;

/**
 * The pg Client the pools construct (pg-pool's `Client` option): a parameterised query (the extended
 * protocol pg uses anyway) gets its text's name while `naming` is enabled; everything else — a query
 * without parameters (simple protocol, several statements allowed), one marked `plannedPerCall`, a
 * query config object, a Submittable — goes through untouched.
 */
export function namingClient(naming: StatementNaming): typeof Client {
  return class NamingClient extends Client {
    private readonly prepared = new Set<string>();
    private sessionNaming = true;

    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 ? this.nameFor(config) : undefined;
      const run = (super.query as (...args: unknown[]) => never).bind(this);
      if (name === undefined) return run(config, values, callback);
      const named = { name, text: config as string };
      if (typeof callback === 'function') {
        return run(named, values, (err: Error | null, result?: unknown) => {
          if (err) this.noteFailure(err);
          (callback as QueryCallback)(err, result);
        });
      }
      return (run(named, values) as unknown as Promise<unknown>).catch((err: Error) => {
        this.noteFailure(err);
        throw err;
      }) as never;
    }

    private nameFor(text: string): string | undefined {
      if (!naming.enabled || !this.sessionNaming || text.startsWith(PLANNED_PER_CALL)) return undefined;
      const name = statementName(text);
      if (this.prepared.has(name)) return name;
      if (this.prepared.size >= MAX_PREPARED_PER_SESSION) return undefined;
      this.prepared.add(name);
      return name;
    }

    private noteFailure(err: Error): void {
      const code = (err as { code?: string }).code;
      if (code && POOLED_SESSION_ERRORS.has(code)) {
        naming.set(false, `a named statement failed with ${code} (${err.message}): the session is shared by a pooler; statements go unnamed from now on`);
      } else if (code === STALE_PLAN_ERROR) {
        this.sessionNaming = false;
      }
    }
  };
}

/** Where the server says this session's client is, against our socket's end. */
async function sessionIsOurs(pool: Pool): Promise<{ ours: boolean; detail: string }> {
  const client: PoolClient = await pool.connect();
  try {
    const socket = (client as unknown as { connection?: { stream?: { localAddress?: string; localPort?: number } } }).connection?.stream;
    const { rows } = await client.query<{ addr: string | null; port: number | null }>(
      `SELECT host(inet_client_addr()) AS addr, inet_client_port() AS port`,
    );
    const server = rows[0] ?? { addr: null, port: null };
    const local = { addr: unmapped(socket?.localAddress), port: socket?.localPort };
    if (local.port === undefined || server.port === null) {
      return { ours: false, detail: 'a Unix socket: the server cannot tell us from a pooler' };
    }
    const ours = server.port === local.port && unmapped(server.addr ?? undefined) === local.addr;
    const seen = `the server sees its client at ${server.addr}:${server.port}, our socket is ${local.addr}:${local.port}`;
    return { ours, detail: ours ? `${seen}: nothing in between` : `${seen}: a pooler, proxy or NAT in between` };
  } finally {
    client.release();
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same IPv4 end. */
function unmapped(addr: string | undefined): string | undefined {
  return addr?.startsWith('::ffff:') ? addr.slice('::ffff:'.length) : addr;
}

/** Settles `naming` for `mode` on the opened pool. */
export async function resolveStatementNaming(naming: StatementNaming, mode: PreparedStatementsMode, pool: Pool | undefined): Promise<void> {
  if (mode === 'on') return naming.set(true, 'DATABASE_PREPARED_STATEMENTS=on');
  if (mode === 'off') return naming.set(false, 'DATABASE_PREPARED_STATEMENTS=off');
  if (!pool) return naming.set(false, 'no pg pool to ask');
  const { ours, detail } = await sessionIsOurs(pool);
  naming.set(ours, `DATABASE_PREPARED_STATEMENTS=auto: ${detail}`);
}
