import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Whether the peer of a connection said (x.grp.acpt / x.ok `batches`) that it reads a MSG body holding
 * several protocol messages: only then are SENDs to it appended to the one already waiting.
 * Existing connections: false, so an older peer is never sent a body it cannot read.
 */
export class PeerReadsBatches1764100000012 implements MigrationInterface {
  name = 'PeerReadsBatches1764100000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.connections ADD COLUMN peer_reads_batches boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.connections DROP COLUMN peer_reads_batches`);
  }
}
