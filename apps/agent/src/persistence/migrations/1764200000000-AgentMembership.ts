import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * agent_members: one lease row per live agent process (ownership of receive queues, see
 * inbound/agent-membership.ts). inbox.redelivered_at: InboxRedelivery takes the rows it touched
 * least recently first, so un-ACKed rows that never produce a chat ACK cannot fill its window.
 */
export class AgentMembership1764200000000 implements MigrationInterface {
  name = 'AgentMembership1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agent"."agent_members" (
        "agent_id" varchar(64) NOT NULL,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "agent_members_pk" PRIMARY KEY ("agent_id")
      )`);
    await q.query(`ALTER TABLE "agent"."inbox" ADD COLUMN "redelivered_at" timestamptz`);
    await q.query(
      `CREATE INDEX "inbox_unacked_msg" ON "agent"."inbox" ((coalesce("redelivered_at", "created_at")))
        WHERE "kind" = 'msg' AND "status" = 'complete' AND "acked_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "agent"."inbox_unacked_msg"`);
    await q.query(`ALTER TABLE "agent"."inbox" DROP COLUMN "redelivered_at"`);
    await q.query(`DROP TABLE "agent"."agent_members"`);
  }
}
