import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/** The contact connection an invitation came over: where an invitee tells the host it could not join. */
export class GroupInvitedVia1764100000001 implements MigrationInterface {
  name = 'GroupInvitedVia1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.groups ADD COLUMN invited_via_conn_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.groups DROP COLUMN invited_via_conn_id`);
  }
}
