import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Forwarding until connected (docs/architecture.md): on the host, to how many members a group message went by
 * x.grp.msg.fwd; on a receiver, 1 when the message first came forwarded. The progress view sums it.
 */
export class ForwardedMessages1764100000006 implements MigrationInterface {
  name = 'ForwardedMessages1764100000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.group_messages ADD COLUMN forwarded int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.group_messages DROP COLUMN IF EXISTS forwarded`);
  }
}
