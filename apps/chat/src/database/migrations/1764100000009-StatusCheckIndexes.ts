import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * docs/scaling.md limit 2: the status-check claim (recovery/status-check-schedule.ts) computed every
 * connection's due time, a sequential scan of all of them every tick. These partial indexes hold only
 * what can be due — connections waiting on their peer themselves, by when their first check or their
 * next one falls due, and unfinished members and introductions by their age — so the claim reads
 * the due rows and the connections of users with unfinished group work, not every stored connection.
 * The predicates are the claim's own, word for word: Postgres uses a partial index only for a query
 * whose conditions imply its predicate.
 */
export class StatusCheckIndexes1764100000009 implements MigrationInterface {
  name = 'StatusCheckIndexes1764100000009';

  async up(q: QueryRunner): Promise<void> {
    // `timestamptz + interval` is only STABLE (an interval of days or months depends on the time zone),
    // so it cannot be indexed; milliseconds alone are plain arithmetic, which makes this IMMUTABLE.
    await q.query(`CREATE FUNCTION ${CHAT_SCHEMA}.status_check_due_at(checked_at timestamptz, delay_ms bigint) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN checked_at + delay_ms * interval '1 millisecond'`);
    const waitingItself = `stage <> 'failed' AND (stage <> 'connected' OR (role = 'joiner' AND peer_info IS NULL))`;
    await q.query(`CREATE INDEX connections_status_check_first ON ${CHAT_SCHEMA}.connections (updated_at)
      WHERE ${waitingItself} AND (status_checked_at IS NULL OR status_checked_at < updated_at)`);
    await q.query(`CREATE INDEX connections_status_check_next ON ${CHAT_SCHEMA}.connections (${CHAT_SCHEMA}.status_check_due_at(status_checked_at, status_check_delay_ms))
      WHERE ${waitingItself} AND status_checked_at >= updated_at`);
    await q.query(`CREATE INDEX members_unfinished ON ${CHAT_SCHEMA}.members (updated_at) WHERE status NOT IN ('connected', 'failed', 'removed', 'left')`);
    await q.query(`CREATE INDEX introductions_unfinished ON ${CHAT_SCHEMA}.introductions (updated_at) WHERE status NOT IN ('connected', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['introductions_unfinished', 'members_unfinished', 'connections_status_check_next', 'connections_status_check_first']) {
      await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.${index}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ${CHAT_SCHEMA}.status_check_due_at(timestamptz, bigint)`);
  }
}
