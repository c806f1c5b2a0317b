import { MigrationInterface, QueryRunner } from 'typeorm';

/** The contact connection an invitation came over: where an invitee tells the host it could not join. */
export class GroupInvitedVia1764100000001 implements MigrationInterface {
  name = 'GroupInvitedVia1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE groups ADD COLUMN invited_via_conn_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE groups DROP COLUMN invited_via_conn_id`);
  }
}
