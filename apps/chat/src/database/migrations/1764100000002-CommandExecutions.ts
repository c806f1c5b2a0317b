import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * How many times a command's continuation ran (committed). Incremented inside the resume
 * transaction, so it is 1 for every resumed command unless the duplicate check is broken: the
 * fault suite reads it to prove "no continuation executed twice".
 */
export class CommandExecutions1764100000002 implements MigrationInterface {
  name = 'CommandExecutions1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.commands ADD COLUMN executions int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.commands DROP COLUMN executions`);
  }
}
