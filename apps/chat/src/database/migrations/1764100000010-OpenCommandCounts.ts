import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * docs/scaling.md limit 3: the gc_chat_commands gauge counted the whole outbox on every scrape, and
 * the outbox only grows (completed rows stay). It now counts the unfinished ones, pending and failed,
 * through this index of just those rows (an index-only scan: its size follows the open work, not
 * the history); completions are counted as they happen (metrics/sampled-gauges.ts).
 */
export class OpenCommandCounts1764100000010 implements MigrationInterface {
  name = 'OpenCommandCounts1764100000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX commands_open_by_function ON ${CHAT_SCHEMA}.commands (function, status) WHERE status IN ('pending', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ${CHAT_SCHEMA}.commands_open_by_function`);
  }
}
