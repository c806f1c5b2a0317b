import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * docs/scaling.md limit 1: a full subscription pass read every receive queue of a relay on every
 * agent, each keeping the ones it owns, so each agent added another whole read. A queue's owner is
 * now chosen per bucket (inbound/owner-buckets.ts: the first 12 bits of md5(recipient id), rendezvous
 * hashing of the 4096 buckets over the live agents), and the bucket is stored, computed by Postgres
 * from the id so no writer can get it wrong: an agent's full pass reads only its buckets' rows,
 * through this index, in (bucket, id) order.
 */
export class OwnerBuckets1764990000001 implements MigrationInterface {
  name = 'OwnerBuckets1764990000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agent"."connections"
      ADD COLUMN "owner_bucket" smallint GENERATED ALWAYS AS ((('x' || substr(md5("rcv_recipient_id"), 1, 3))::bit(12)::int)::smallint) STORED`);
    await q.query(
      `CREATE INDEX "connections_relay_bucket" ON "agent"."connections" ("rcv_relay", "owner_bucket", "rcv_recipient_id") WHERE "rcv_recipient_id" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "agent"."connections_relay_bucket"`);
    await q.query(`ALTER TABLE "agent"."connections" DROP COLUMN "owner_bucket"`);
  }
}
