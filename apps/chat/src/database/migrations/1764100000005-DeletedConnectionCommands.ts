import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Group removal and leaving (docs/architecture.md) delete connections; a command that failed on one of them
 * is withdrawn (outbox/command-store withdrawFailedOnDeleted), looked up on every ERR by its
 * connection: the failed commands and the DELETEs of a connection, each by a small partial index.
 */
export class DeletedConnectionCommands1764100000005 implements MigrationInterface {
  name = 'DeletedConnectionCommands1764100000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX commands_failed_by_conn ON ${CHAT_SCHEMA}.commands (conn_id) WHERE status = 'failed'`);
    await q.query(`CREATE INDEX commands_delete_by_conn ON ${CHAT_SCHEMA}.commands (conn_id) WHERE command->>'type' = 'DELETE'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.commands_delete_by_conn`);
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.commands_failed_by_conn`);
  }
}
