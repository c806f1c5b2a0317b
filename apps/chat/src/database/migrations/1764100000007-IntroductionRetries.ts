import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Re-introduction after a permanent failure (docs/architecture.md): the host counts an introduction's
 * attempts, when the next one is due (status `retrying`), and the last failure's reason.
 */
export class IntroductionRetries1764100000007 implements MigrationInterface {
  name = 'IntroductionRetries1764100000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.introductions ADD COLUMN attempts int NOT NULL DEFAULT 0, ADD COLUMN retry_at timestamptz, ADD COLUMN last_error text`);
    await q.query(`CREATE INDEX introductions_retry_due ON ${CHAT_SCHEMA}.introductions (retry_at) WHERE status = 'retrying'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.introductions_retry_due`);
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.introductions DROP COLUMN IF EXISTS last_error, DROP COLUMN IF EXISTS retry_at, DROP COLUMN IF EXISTS attempts`);
  }
}
