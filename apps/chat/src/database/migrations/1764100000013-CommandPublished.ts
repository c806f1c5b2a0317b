import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Whether a publisher has taken a pending command (pendingHeads, staleHeads): a SEND may be folded
 * into a waiting one only before that. Existing rows count as taken, so none is changed after the fact.
 */
export class CommandPublished1764100000013 implements MigrationInterface {
  name = 'CommandPublished1764100000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.commands ADD COLUMN published boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE ${CHAT_SCHEMA}.commands SET published = true WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.commands DROP COLUMN published`);
  }
}
