import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentSchema1764100000000 implements MigrationInterface {
  name = 'AgentSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agent"."connections" (
        "user_id" varchar(64) NOT NULL,
        "conn_id" varchar(64) NOT NULL,
        "role" varchar(16) NOT NULL,
        "status" varchar(16) NOT NULL,
        "created_by" varchar(128) NOT NULL,
        "rcv_relay" text,
        "rcv_recipient_id" text,
        "rcv_sender_id" text,
        "invitation" text,
        "snd_relay" text,
        "snd_sender_id" text,
        "own_public_key" text,
        "own_private_key" text,
        "peer_sender_key" text,
        "confirmation_id" varchar(128),
        "peer_conn_info" text,
        "allowed_by" varchar(128),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "connections_pk" PRIMARY KEY ("user_id", "conn_id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "connections_receive_queue" ON "agent"."connections" ("rcv_relay", "rcv_recipient_id") WHERE "rcv_recipient_id" IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE "agent"."commands" (
        "corr_id" varchar(128) NOT NULL,
        "user_id" varchar(64) NOT NULL,
        "type" varchar(16) NOT NULL,
        "conn_id" varchar(64),
        "status" varchar(16) NOT NULL DEFAULT 'running',
        "step" varchar(32) NOT NULL DEFAULT 'start',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "result" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "commands_pk" PRIMARY KEY ("corr_id")
      )`);
    await q.query(`
      CREATE TABLE "agent"."inbox" (
        "id" bigserial NOT NULL,
        "relay" text NOT NULL,
        "recipient_id" text NOT NULL,
        "msg_id" varchar(128) NOT NULL,
        "user_id" varchar(64) NOT NULL,
        "conn_id" varchar(64) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'received',
        "events" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "acked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "inbox_pk" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "inbox_relay_message" ON "agent"."inbox" ("relay", "recipient_id", "msg_id")`);
    await q.query(`CREATE INDEX "inbox_connection" ON "agent"."inbox" ("user_id", "conn_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent"."inbox"`);
    await q.query(`DROP TABLE "agent"."commands"`);
    await q.query(`DROP TABLE "agent"."connections"`);
  }
}
