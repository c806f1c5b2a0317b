import { randomUUID } from 'node:crypto';
import type { AgentCommand, AgentCommandType } from '@gc/contracts';
import { sqlRows } from '@gc/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { SqlParams } from '@gc/persistence';
import type { ConnectionCommand, CommandRequest } from './chat-tx';
import { ORDERED_SQL } from './command-order';
import type { CommandStatus } from './command.entity';
import { Continuation, ContinuationFunction } from './continuation';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;

/**
 * Every statement on `commands` (the outbox) is here: no other file names its columns or reads its
 * continuation JSON. Flows write through ChatTx.ask*; the resumer, publisher, reconciler and the
 * API's views read through the functions below.
 */

/** The values of one outbox row. */
export interface CommandRow {
  corrId: string;
  userId: string;
  connId: string;
  function: ContinuationFunction;
  continuation: Continuation;
  command: ConnectionCommand;
}

const COLUMNS = `corr_id, user_id, conn_id, function, continuation, command, status, attempts`;
export function commandRow(userId: string, continuation: Continuation, request: CommandRequest, corrId: string = randomUUID()): CommandRow {
  const valid = Continuation.parse(continuation);
  const command = { ...request, corrId, userId } as ConnectionCommand;
  return { corrId, userId, connId: request.connId, function: valid.function, continuation: valid, command };
}

/**
 * Writes outbox rows in one statement, in the given order (ids are taken row by row, so commands on
 * one connection keep it). A corrId already there (an ACK's, derived) is skipped: it was published
 * already. Returns the corrIds written.
 */
export async function insertCommands(em: EntityManager, rows: CommandRow[]): Promise<Set<string>> {
  const p = new SqlParams();
  const outbox = outboxItem(rows, p);
  const [written]: { [OUTBOX_WRITTEN]: string[] }[] = await em.query(`WITH ${outbox.item()} SELECT ${outbox.written}`, p.values);
  return new Set(written[OUTBOX_WRITTEN]);
}

/** The outbox's part of a domain statement (ChatTx.askWith). */
export interface OutboxItem {
  /** The WITH item writing the rows; with `guard` (a relation of the statement), only if it has a row. */
  item(guard?: string): string;
  /** The select-list column through which the outbox learns which rows were written. */
  readonly written: string;
}
export const OUTBOX_WRITTEN = 'outbox_written';

export function outboxItem(rows: CommandRow[], p: SqlParams): OutboxItem {
  return {
    written: `(SELECT coalesce(array_agg(corr_id), '{}') FROM outbox) AS ${OUTBOX_WRITTEN}`,
    item: (guard) => {
      if (rows.length === 0) return `outbox AS (SELECT NULL::text AS corr_id WHERE false)`;
      // One array parameter per column, whatever the number of rows: a statement's bind parameters are
      // capped at 65,535, and a host introducing a newcomer to thousands of members writes two rows each.
      const column = (values: unknown[], type: string) => p.add(values, `${type}[]`);
      const arrays = [
        column(rows.map((r) => r.corrId), 'text'),
        column(rows.map((r) => r.userId), 'uuid'),
        column(rows.map((r) => r.connId), 'text'),
        column(rows.map((r) => r.function), 'text'),
        column(rows.map((r) => JSON.stringify(r.continuation)), 'jsonb'),
        column(rows.map((r) => JSON.stringify(r.command)), 'jsonb'),
      ];
      // ORDER BY the position: ids are taken in the order rows leave the SELECT, so asks keep their order.
      return `outbox AS (INSERT INTO ${CHAT_SCHEMA}.commands (${COLUMNS})
           SELECT v.corr_id, v.user_id, v.conn_id, v.fn, v.continuation, v.command, 'pending', 1
             FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS v (corr_id, user_id, conn_id, fn, continuation, command, n)
            ${guard ? `WHERE EXISTS (SELECT 1 FROM ${guard})` : ''}
            ORDER BY v.n
           ON CONFLICT (corr_id) DO NOTHING RETURNING corr_id)`;
    },
  };
}

/**
 * How a SEND is folded into the command waiting before it on its connection (ChatTx.askAppending):
 * the body format is its asker's (the protocol's), so it gives the expressions over the waiting row's
 * `command` jsonb.
 */
export interface AppendTo {
  /** A relation of the statement that must have a row for appending to be allowed at all. */
  allowed: string;
  /** The waiting command with the new request folded in (jsonb), given the waiting row's `command` column. */
  merged(command: string): string;
  /** Whether the new request still fits into that waiting command (a bound on its body). */
  fits(command: string): string;
}

/**
 * The WITH items `appended` (the waiting row the SEND was folded into, if any) and `fresh` (a row
 * when it was not: the guard of the outbox's own insert). Only a command never published can change:
 * the last pending ordered command of the connection, when it is not the head and no publisher has
 * taken it (`published`, see pendingHeads), is a SEND of the same kind (`fn`), and `allowed`/`fits` agree. The head is locked
 * FOR SHARE: the transaction completing it (an UPDATE) waits until this one commits, so it reads the
 * next head — perhaps the row appended to — only with the append in it; and if it completed first,
 * the re-check finds no pending head, so nothing is appended and the SEND gets a row of its own.
 * The waiting row is locked only when it is not the head: two transactions that both hold the head
 * FOR SHARE and then asked FOR UPDATE on that same row deadlocked (each waits for the other's share).
 */
export function appendItems(connId: string, fn: ContinuationFunction, to: AppendTo, p: SqlParams): string {
  const conn = p.add(connId, 'text');
  return `head AS (SELECT id FROM ${CHAT_SCHEMA}.commands WHERE conn_id = ${conn} AND status = 'pending' AND ${ORDERED_SQL} ORDER BY id LIMIT 1 FOR SHARE),
    waiting AS (SELECT w.id, w.command, w.published FROM ${CHAT_SCHEMA}.commands w WHERE w.conn_id = ${conn} AND w.status = 'pending' AND ${ORDERED_SQL.replace('function', 'w.function')}
                   AND w.id > (SELECT id FROM head)
                 ORDER BY w.id DESC LIMIT 1 FOR UPDATE),
    appended AS (UPDATE ${CHAT_SCHEMA}.commands c SET command = ${to.merged('waiting.command')}, updated_at = now()
                   FROM waiting, head
                  WHERE c.id = waiting.id AND waiting.id > head.id AND NOT c.published AND c.function = ${p.add(fn, 'text')}
                    AND ${to.fits('waiting.command')} AND EXISTS (SELECT 1 FROM ${to.allowed} allowed)
                 RETURNING c.corr_id),
    fresh AS (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM appended))`;
}

/** A command claimed for its completion. */
export interface ClaimedCommand {
  id: string;
  userId: string;
  connId: string;
  function: ContinuationFunction;
  /** The agent command's type (an ACK is outside the per-connection order). */
  type: AgentCommandType;
  continuation: unknown;
}

/** A continuation run in the claim's statement (AlongClaim), for the claimed command's functions among `functions`. */
export interface ClaimItem {
  functions: ContinuationFunction[];
  item(claimed: string, p: SqlParams): string;
}

/**
 * Locks a pending command by corrId and marks it done in one statement (an UPDATE takes the row
 * lock FOR UPDATE would); null when it is not pending. It is the caller's transaction: if the
 * continuation throws, the rollback puts the row back to pending and uncounts the execution. A
 * concurrent resume of the same corrId waits for the lock, then sees the row no longer pending.
 * The continuations `along` run in the same statement, as WITH items over the claimed row when its
 * function is one of theirs (a continuation that is one statement needs no round trip of its own).
 */
export async function claimCommand(
  em: EntityManager,
  corrId: string,
  status: 'completed' | 'failed',
  lastError: string | null,
  along: ClaimItem[] = [],
): Promise<ClaimedCommand | null> {
  const p = new SqlParams();
  const claimed = `claimed AS (UPDATE ${CHAT_SCHEMA}.commands SET status = ${p.add(status)}, last_error = ${p.add(lastError)}, executions = executions + 1, updated_at = now()
      WHERE corr_id = ${p.add(corrId)} AND status = 'pending' RETURNING id, user_id, conn_id, function, continuation, command->>'type' AS type)`;
  const items = along.map((a, i) => {
    const mine = `claimed_${i}`;
    return `${mine} AS (SELECT conn_id, user_id FROM claimed WHERE function = ANY(${p.add(a.functions, 'text[]')})), along_${i} AS (${a.item(mine, p)})`;
  });
  const [row] = await sqlRows<{ id: string; user_id: string; conn_id: string; function: ContinuationFunction; type: AgentCommandType; continuation: unknown }>(
    em,
    `WITH ${[claimed, ...items].join(', ')} SELECT id, user_id, conn_id, function, continuation, type FROM claimed`,
    p.values,
  );
  return row ? { id: row.id, userId: row.user_id, connId: row.conn_id, function: row.function, type: row.type, continuation: row.continuation } : null;
}

/**
 * Commands on a connection we delete on purpose (a DELETE is asked on it) that failed, typically
 * because the peer deleted its side first (a group removal racing a handshake or a SEND): their
 * purpose was withdrawn, so they end `completed`, the error kept with a note in last_error.
 * `withdrawFailedBeforeDelete` runs before the DELETE is asked, `withdrawFailedOnDeleted` on every
 * ERR (the resumer). The first locks the connection's unfinished commands: an ERR being claimed
 * concurrently commits first and is seen failed, or claims after our commit and sees our DELETE.
 */
export async function withdrawFailedBeforeDelete(em: EntityManager, connId: string): Promise<void> {
  await em.query(`SELECT id FROM ${CHAT_SCHEMA}.commands WHERE conn_id = $1 AND status <> 'completed' FOR UPDATE`, [connId]);
  await em.query(`UPDATE ${CHAT_SCHEMA}.commands SET status = 'completed', last_error = ${WITHDRAWN_NOTE}, updated_at = now() WHERE conn_id = $1 AND status = 'failed'`, [connId]);
}

export async function withdrawFailedOnDeleted(em: EntityManager, connIds: string[]): Promise<void> {
  if (connIds.length === 0) return;
  await em.query(
    `UPDATE ${CHAT_SCHEMA}.commands SET status = 'completed', last_error = ${WITHDRAWN_NOTE}, updated_at = now()
      WHERE conn_id = ANY($1) AND status = 'failed' AND command->>'type' <> 'DELETE'
        AND EXISTS (SELECT 1 FROM ${CHAT_SCHEMA}.commands d WHERE d.conn_id = commands.conn_id AND d.command->>'type' = 'DELETE')`,
    [connIds],
  );
}
const WITHDRAWN_NOTE = `'withdrawn, the connection is deleted: ' || coalesce(last_error, '')`;

export async function commandExists(em: EntityManager, corrId: string): Promise<boolean> {
  const rows: unknown[] = await em.query(`SELECT 1 FROM ${CHAT_SCHEMA}.commands WHERE corr_id = $1`, [corrId]);
  return rows.length > 0;
}

/** The pending commands of one connection, oldest first, with what they continue with. */
export async function pendingCommandsOn(em: EntityManager, connId: string): Promise<{ corrId: string; continuation: Continuation }[]> {
  const rows: { corr_id: string; continuation: unknown }[] = await em.query(
    `SELECT corr_id, continuation FROM ${CHAT_SCHEMA}.commands WHERE conn_id = $1 AND status = 'pending' ORDER BY id`,
    [connId],
  );
  return rows.map((r) => ({ corrId: r.corr_id, continuation: Continuation.parse(r.continuation) }));
}

/**
 * The oldest pending ordered command of each connection (index commands_pending_by_conn), marked
 * `published` as it is read: a command may be folded into (appendItems) only while no publisher has
 * taken it — a head read by a transaction that committed before an older row's (two transactions
 * asking on one connection) is published although it is not the oldest. The mark waits for an
 * append holding the row, and returns the row with it.
 */
export async function pendingHeads(db: Db, connIds: string[]): Promise<AgentCommand[]> {
  if (connIds.length === 0) return [];
  const rows = await sqlRows<{ command: AgentCommand }>(
    db,
    `UPDATE ${CHAT_SCHEMA}.commands SET published = true
      WHERE status = 'pending' AND id IN (SELECT DISTINCT ON (conn_id) id FROM ${CHAT_SCHEMA}.commands
                                           WHERE conn_id = ANY($1) AND status = 'pending' AND ${ORDERED_SQL} ORDER BY conn_id, id)
      RETURNING command`,
    [connIds],
  );
  return rows.map((r) => r.command);
}

/**
 * Heads (and pending ACKs) unchanged for `staleMs`: only these are worth a look at their job (marked
 * `published`, as above). Rows a transaction holds are skipped (SKIP LOCKED), not waited for: that
 * transaction is working on the connection and publishes its head after its commit, and the next tick
 * sees the row if not. Waiting deadlocked: this one statement locks heads of many users in no order,
 * while an event batch holds some of them and asks for another.
 */
export async function staleHeads(db: Db, staleMs: number): Promise<{ id: string; corrId: string; command: AgentCommand }[]> {
  const rows = await sqlRows<{ id: string; corr_id: string; command: AgentCommand }>(
    db,
    `WITH due AS (
       SELECT id FROM ${CHAT_SCHEMA}.commands
        WHERE status = 'pending' AND id IN (SELECT id FROM (
         (SELECT DISTINCT ON (conn_id) id, updated_at FROM ${CHAT_SCHEMA}.commands WHERE status = 'pending' AND ${ORDERED_SQL} ORDER BY conn_id, id)
         UNION ALL (SELECT id, updated_at FROM ${CHAT_SCHEMA}.commands WHERE status = 'pending' AND NOT (${ORDERED_SQL}))) heads
        WHERE updated_at < now() - $1 * interval '1 millisecond')
        FOR UPDATE SKIP LOCKED)
     UPDATE ${CHAT_SCHEMA}.commands c SET published = true FROM due
      WHERE c.id = due.id AND c.status = 'pending'
      RETURNING c.id, c.corr_id, c.command`,
    [staleMs],
  );
  return rows.map((r) => ({ id: r.id, corrId: r.corr_id, command: r.command }));
}

/**
 * Counts a re-publish of a stale head, if it is still pending: false once the chat finished it. The
 * reconciler's list of stale heads is read once and worked through a head at a time (two Redis calls
 * each), so under a backlog a head is often completed — its job done, its result event handled —
 * by the time the loop reaches it; its job then looks "completed with no result waiting", the very
 * shape of a lost event. Measured before this check: 1,413 finished CREATEs re-published after a
 * 10,000-command run (bench/probes/recovery-profile.ts, Redis MONITOR), each run again by the agent.
 * Asked after the job and its result were looked at: the chat commits before it completes the
 * result's job, so a result seen handled means this sees the row finished.
 */
export async function claimRepublish(db: Db, id: string): Promise<boolean> {
  const rows = await sqlRows<{ id: string }>(
    db,
    `UPDATE ${CHAT_SCHEMA}.commands SET attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/** A pending command as the progress view shows it. */
export interface PendingStepRow {
  corrId: string;
  userId: string;
  connId: string;
  function: ContinuationFunction;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

/** The pending commands on these connections (of any user: the caller chose the connections). */
export async function pendingOnConnections(db: Db, connIds: string[]): Promise<PendingStepRow[]> {
  if (connIds.length === 0) return [];
  const rows: { corr_id: string; user_id: string; conn_id: string; function: ContinuationFunction; created_at: Date; attempts: number; last_error: string | null }[] =
    await db.query(
      `SELECT corr_id, user_id, conn_id, function, created_at, attempts, last_error FROM ${CHAT_SCHEMA}.commands WHERE conn_id = ANY($1) AND status = 'pending' ORDER BY id`,
      [connIds],
    );
  return rows.map((r) => ({
    corrId: r.corr_id,
    userId: r.user_id,
    connId: r.conn_id,
    function: r.function,
    createdAt: new Date(r.created_at),
    attempts: Number(r.attempts),
    lastError: r.last_error,
  }));
}

/** A page of one user's commands, oldest first, after the one with corrId `after`; null when `after` is not one of them. */
export async function listCommands(
  db: Db,
  userId: string,
  page: { status?: CommandStatus; limit: number; after?: string },
): Promise<{ corrId: string; function: string; status: CommandStatus; attempts: number; lastError: string | null }[] | null> {
  if (page.after !== undefined) {
    const known: unknown[] = await db.query(`SELECT 1 FROM ${CHAT_SCHEMA}.commands WHERE corr_id = $1 AND user_id = $2`, [page.after, userId]);
    if (known.length === 0) return null;
  }
  const rows: { corr_id: string; function: string; status: CommandStatus; attempts: number; last_error: string | null }[] = await db.query(
    `SELECT corr_id, function, status, attempts, last_error FROM ${CHAT_SCHEMA}.commands
      WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR id > (SELECT id FROM ${CHAT_SCHEMA}.commands WHERE corr_id = $3 AND user_id = $1))
      ORDER BY id LIMIT $4`,
    [userId, page.status ?? null, page.after ?? null, page.limit],
  );
  return rows.map((r) => ({ corrId: r.corr_id, function: r.function, status: r.status, attempts: Number(r.attempts), lastError: r.last_error }));
}

/** countCommands' statement: its predicate is the partial index commands_open_by_function's. */
export const COUNT_OPEN_COMMANDS_SQL = `SELECT function, status, count(*) AS n FROM ${CHAT_SCHEMA}.commands WHERE status IN ('pending', 'failed') GROUP BY function, status`;

/**
 * How many unfinished commands (pending, failed) there are by function (a gauge sampled on scrape).
 * Not the completed ones: they are nearly every row ever written, and counting them read the whole
 * outbox on every scrape (docs/scaling.md limit 3).
 */
export async function countCommands(db: Db): Promise<{ function: string; status: CommandStatus; count: number }[]> {
  const rows: { function: string; status: CommandStatus; n: string }[] = await db.query(COUNT_OPEN_COMMANDS_SQL);
  return rows.map((r) => ({ function: r.function, status: r.status, count: Number(r.n) }));
}

/** How long each of these commands took from its row's creation to its end (metrics). */
export async function roundTripsOf(db: Db, corrIds: string[]): Promise<{ corrId: string; function: string; status: CommandStatus; seconds: number }[]> {
  const rows: { corr_id: string; function: string; status: CommandStatus; seconds: number }[] = await db.query(
    `SELECT corr_id, function, status, extract(epoch FROM updated_at - created_at)::float8 AS seconds FROM ${CHAT_SCHEMA}.commands WHERE corr_id = ANY($1)`,
    [corrIds],
  );
  return rows.map((r) => ({ corrId: r.corr_id, function: r.function, status: r.status, seconds: r.seconds }));
}
