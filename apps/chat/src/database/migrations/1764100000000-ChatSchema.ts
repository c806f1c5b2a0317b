import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

export class ChatSchema1764100000000 implements MigrationInterface {
  name = 'ChatSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.users (
      id uuid PRIMARY KEY, display_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.connections (
      id text PRIMARY KEY, user_id uuid NOT NULL REFERENCES ${CHAT_SCHEMA}.users(id), role text NOT NULL, purpose text NOT NULL,
      stage text NOT NULL, contact_id uuid, group_id uuid, member_id uuid, invitation text, peer_info text,
      failure_reason text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX connections_user_stage ON ${CHAT_SCHEMA}.connections (user_id, stage)`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.contacts (
      id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES ${CHAT_SCHEMA}.users(id), conn_id text NOT NULL UNIQUE,
      display_name text, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX contacts_user ON ${CHAT_SCHEMA}.contacts (user_id, created_at)`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.groups (
      user_id uuid NOT NULL REFERENCES ${CHAT_SCHEMA}.users(id), id uuid NOT NULL, name text NOT NULL, host_member_id uuid NOT NULL,
      self_member_id uuid NOT NULL, invitation text, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (user_id, id))`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.members (
      user_id uuid NOT NULL, group_id uuid NOT NULL, id uuid NOT NULL, display_name text NOT NULL,
      is_self boolean NOT NULL, is_host boolean NOT NULL, status text NOT NULL, conn_id text UNIQUE, direct_conn_id text UNIQUE,
      failure_reason text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, group_id, id), FOREIGN KEY (user_id, group_id) REFERENCES ${CHAT_SCHEMA}.groups(user_id, id))`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.introductions (
      user_id uuid NOT NULL, group_id uuid NOT NULL, new_member_id uuid NOT NULL, existing_member_id uuid NOT NULL,
      status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, group_id, new_member_id, existing_member_id))`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.group_messages (
      user_id uuid NOT NULL, id uuid NOT NULL, group_id uuid NOT NULL, from_member_id uuid NOT NULL, text text NOT NULL,
      at timestamptz NOT NULL, PRIMARY KEY (user_id, id))`);
    await q.query(`CREATE INDEX group_messages_group ON ${CHAT_SCHEMA}.group_messages (user_id, group_id, at)`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.pending_deliveries (
      user_id uuid NOT NULL, group_id uuid NOT NULL, member_id uuid NOT NULL, message_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (user_id, group_id, member_id, message_id))`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.received_messages (
      user_id uuid NOT NULL, agent_msg_id text NOT NULL, conn_id text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, agent_msg_id))`);
    await q.query(`CREATE TABLE ${CHAT_SCHEMA}.commands (
      id bigserial PRIMARY KEY, corr_id text NOT NULL UNIQUE, user_id uuid NOT NULL, conn_id text NOT NULL,
      function text NOT NULL, continuation jsonb NOT NULL, command jsonb NOT NULL, status text NOT NULL,
      attempts int NOT NULL DEFAULT 0, last_error text, created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    // The head of each connection's pending commands is what gets published.
    await q.query(`CREATE INDEX commands_pending_by_conn ON ${CHAT_SCHEMA}.commands (conn_id, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX commands_user_status ON ${CHAT_SCHEMA}.commands (user_id, status, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['commands', 'received_messages', 'pending_deliveries', 'group_messages', 'introductions', 'members', 'groups', 'contacts', 'connections', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${CHAT_SCHEMA}.${t}`);
    }
  }
}
