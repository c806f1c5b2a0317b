import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11: the keys of relay trust (the queue's recipient key, the handshake's X25519 key, the
 * agreed end-to-end key) and the count of a command's failures of unknown kind (bounded).
 */
export class RelayTrust1764900000000 implements MigrationInterface {
  name = 'RelayTrust1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agent"."connections"
      ADD COLUMN IF NOT EXISTS "recipient_private_key" text,
      ADD COLUMN IF NOT EXISTS "dh_private_key" text,
      ADD COLUMN IF NOT EXISTS "e2e_key" text`);
    await q.query(`ALTER TABLE "agent"."commands" ADD COLUMN IF NOT EXISTS "unknown_failures" int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agent"."commands" DROP COLUMN "unknown_failures"`);
    await q.query(`ALTER TABLE "agent"."connections" DROP COLUMN "recipient_private_key", DROP COLUMN "dh_private_key", DROP COLUMN "e2e_key"`);
  }
}
