import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/scaling.md limit 1: each agent's per-second "recent" subscription pass per relay reads the
 * receive queues of connections changed in the last seconds. Without this index that filter was a
 * sequential scan of every stored connection, per relay, per agent, every second; with it the pass
 * reads only the rows it returns.
 */
export class SubscriptionSweeps1764990000000 implements MigrationInterface {
  name = 'SubscriptionSweeps1764990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS "connections_relay_updated" ON "agent"."connections" ("rcv_relay", "updated_at") WHERE "rcv_recipient_id" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "agent"."connections_relay_updated"`);
  }
}
