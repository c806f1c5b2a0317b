import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * The re-subscribe backoff of a waiting connection, kept in Postgres rather than in each chat's
 * memory: the reconciler then reads only the connections whose check is due (not every waiting row
 * every interval), several chats share one schedule, and a restart does not start it over.
 * status_checked_at: when a STATUS was last asked; status_check_delay_ms: the wait before the next.
 */
export class ConnectionStatusChecks1764100000003 implements MigrationInterface {
  name = 'ConnectionStatusChecks1764100000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.connections ADD COLUMN status_checked_at timestamptz, ADD COLUMN status_check_delay_ms bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.connections DROP COLUMN status_checked_at, DROP COLUMN status_check_delay_ms`);
  }
}
