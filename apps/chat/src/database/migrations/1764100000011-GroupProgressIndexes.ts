import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * docs/scaling.md limit 4 of the contention review: the host's GET …/progress reads the connections
 * and the copies of its group of every user on this chat service, by the group's id alone — which no
 * index led with (`groups` is keyed by (user_id, id)), so each call scanned both tables whole.
 */
export class GroupProgressIndexes1764100000011 implements MigrationInterface {
  name = 'GroupProgressIndexes1764100000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX connections_group ON ${CHAT_SCHEMA}.connections (group_id) WHERE group_id IS NOT NULL`);
    await q.query(`CREATE INDEX groups_id ON ${CHAT_SCHEMA}.groups (id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.groups_id`);
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.connections_group`);
  }
}
