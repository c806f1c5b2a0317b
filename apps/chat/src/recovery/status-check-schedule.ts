import { plannedPerCall, sqlRows } from '@gc/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { CHAT_SCHEMA } from '../config/chat-schema';

type Db = DataSource | EntityManager;

/**
 * Connections waiting on an event of their peer, which a lost CONF/INFO/CON/MSG would leave waiting
 * for good: a stage not final; a joiner without the peer's info; a connected connection of a user whose
 * member or introduction is unfinished (an x.grp.* message may be what was lost) — unfinished for less
 * than `recent` (HANDSHAKE_TIMEOUT_MS): a member that never joins must not keep every connection of
 * its host re-subscribed every 5 minutes for ever.
 */
const unfinishedUsers = (stuck: string, recent: string) => `SELECT user_id FROM ${CHAT_SCHEMA}.members
    WHERE status NOT IN ('connected', 'failed', 'removed', 'left') AND updated_at > now() - ${recent} * interval '1 millisecond'${stuck}
   UNION SELECT user_id FROM ${CHAT_SCHEMA}.introductions
    WHERE status NOT IN ('connected', 'failed') AND updated_at > now() - ${recent} * interval '1 millisecond'${stuck}`;
/** How long an unfinished member or introduction keeps its user's connections checked, unless told. */
export const UNFINISHED_WATCHED_MS = 24 * 60 * 60_000;
const STUCK = ` AND updated_at < now() - $1 * interval '1 millisecond'`;
/** Waiting on the peer whatever the user's groups do; the predicate of both connections_status_check_* indexes. */
const WAITING_ITSELF = `c.stage <> 'failed' AND (c.stage <> 'connected' OR (c.role = 'joiner' AND c.peer_info IS NULL))`;
const WAITING = `c.stage <> 'failed' AND (c.stage <> 'connected' OR (c.role = 'joiner' AND c.peer_info IS NULL) OR c.user_id IN (SELECT user_id FROM unfinished))`;

/**
 * An inviter's contact invitation nobody used yet: its peer may never come (people create invitations
 * and do not use them), so checking its STATUS on the group-protocol schedule would cost, with 10k of
 * them, ~33 STATUS events/s for ever (and 200/s in the first minutes) for nothing. Its lost CONF is
 * recovered at once after a detected queue loss (QueueLossMarker); its own checks, first after 5 min,
 * then capped at 1 h, are only for a loss the marker cannot see.
 */
const PEER_MAY_NEVER_COME = `c.purpose = 'contact' AND c.role = 'inviter' AND c.stage = 'invited'`;
export const PEER_MAY_NEVER_COME_FIRST_DELAY_MS = 5 * 60_000;
export const PEER_MAY_NEVER_COME_MAX_DELAY_MS = 60 * 60_000;
/** Group-protocol waits (members, introductions) and handshakes under way: recovered within minutes. */
export const MAX_DELAY_MS = 5 * 60_000;

// $1: the first delay (RECONCILE_STALE_MS), $3/$4: the caps, $5: the first delay of PEER_MAY_NEVER_COME.
const FIRST_DELAY = `(CASE WHEN ${PEER_MAY_NEVER_COME} THEN GREATEST($1::bigint, $5::bigint) ELSE $1::bigint END)`;
const MAX_DELAY = `(CASE WHEN ${PEER_MAY_NEVER_COME} THEN $3::bigint ELSE $4::bigint END)`;
// A connection is fresh when its stage changed since the last check: its backoff starts over.
const FRESH = `(c.status_checked_at IS NULL OR c.status_checked_at < c.updated_at)`;
const DUE_AT = `CASE WHEN ${FRESH} THEN c.updated_at + ${FIRST_DELAY} * interval '1 millisecond'
  ELSE c.status_checked_at + c.status_check_delay_ms * interval '1 millisecond' END`;

/**
 * A superset of the waiting connections (with the due conditions, of the due ones), each part read
 * through an index (migration 1764100000009): waiting themselves and fresh (due: a stage at least
 * the shortest first delay old, FIRST_DELAY never being below $1); waiting themselves and checked
 * before (due: the next check); any live connection of a user with unfinished group work (few: the
 * watch ends after a day). The two "themselves" parts together are every connection WAITING_ITSELF
 * (fresh or not). The statements then apply WAITING (and DUE_AT) to these rows only, so they find
 * what a read of every connection would: a connection in none of the parts cannot qualify.
 */
const candidates = (due: boolean) => `SELECT c.id FROM ${CHAT_SCHEMA}.connections c
    WHERE ${WAITING_ITSELF} AND ${FRESH}${due ? ` AND c.updated_at <= now() - $1::bigint * interval '1 millisecond'` : ''}
   UNION SELECT c.id FROM ${CHAT_SCHEMA}.connections c
    WHERE ${WAITING_ITSELF} AND c.status_checked_at >= c.updated_at${due ? `
      AND ${CHAT_SCHEMA}.status_check_due_at(c.status_checked_at, c.status_check_delay_ms) <= now()` : ''}
   UNION SELECT c.id FROM ${CHAT_SCHEMA}.connections c WHERE c.user_id IN (SELECT user_id FROM unfinished) AND c.stage <> 'failed'`;

/**
 * Claims, at most `limit`, the waiting connections whose STATUS check is due (oldest due first) and
 * moves their schedule on: first `firstDelayMs` after the stage changed (at least 5 min for
 * PEER_MAY_NEVER_COME), then after twice the previous delay, capped (1 h for PEER_MAY_NEVER_COME, 5 min
 * otherwise). A connection with a pending command of
 * ours is left to the stale-head re-publish. One statement: only due rows leave Postgres, and two chats
 * never claim the same row (SKIP LOCKED; a row being changed by an event is simply checked next tick).
 * It reads the candidates (candidates()), not every connection.
 */
export async function claimDueStatusChecks(db: Db, firstDelayMs: number, limit: number, watchedMs = UNFINISHED_WATCHED_MS): Promise<{ id: string; user_id: string }[]> {
  return sqlRows(
    db,
    claimDueStatusChecksSql(),
    [firstDelayMs, limit, PEER_MAY_NEVER_COME_MAX_DELAY_MS, MAX_DELAY_MS, PEER_MAY_NEVER_COME_FIRST_DELAY_MS, watchedMs],
  );
}

/** The claim's statement (exported for its plan's spec); parameters as in claimDueStatusChecks. */
export function claimDueStatusChecksSql(): string {
  return `WITH unfinished AS (${unfinishedUsers(STUCK, '$6::bigint')}),
     candidates AS (${candidates(true)}),
     due AS (
       SELECT c.id FROM ${CHAT_SCHEMA}.connections c
        WHERE c.id IN (SELECT id FROM candidates) AND ${WAITING} AND ${DUE_AT} <= now()
          AND NOT EXISTS (SELECT 1 FROM ${CHAT_SCHEMA}.commands k WHERE k.conn_id = c.id AND k.status = 'pending')
        ORDER BY ${DUE_AT} LIMIT $2
        FOR UPDATE OF c SKIP LOCKED)
     UPDATE ${CHAT_SCHEMA}.connections c
        SET status_check_delay_ms = LEAST(2 * CASE WHEN ${FRESH} THEN ${FIRST_DELAY} ELSE c.status_check_delay_ms END, ${MAX_DELAY}),
            status_checked_at = now()
       FROM due WHERE c.id = due.id
     RETURNING c.id, c.user_id`;
}

/**
 * Every waiting connection, whatever its schedule: at start (whatever happened while the chat was
 * down) and after a queue loss (any event not yet handled may be gone).
 */
export async function allWaitingConnections(db: Db, watchedMs = UNFINISHED_WATCHED_MS): Promise<{ user_id: string; conn_ids: string[] }[]> {
  return db.query(allWaitingConnectionsSql(), [watchedMs]);
}

/**
 * allWaitingConnections' statement (exported for its plan's spec): $1 the watch of unfinished work.
 * Planned per call: it runs at start and after a queue loss only, and its generic plan reads
 * chat.connections whole.
 */
export function allWaitingConnectionsSql(): string {
  return plannedPerCall(`WITH unfinished AS (${unfinishedUsers('', '$1::bigint')}),
     candidates AS (${candidates(false)})
     SELECT c.user_id, array_agg(c.id) AS conn_ids FROM ${CHAT_SCHEMA}.connections c
      WHERE c.id IN (SELECT id FROM candidates) AND ${WAITING} GROUP BY c.user_id`);
}
