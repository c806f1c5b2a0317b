import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Users authenticate with a bearer token; only its SHA-256 is stored, unique (the guard finds the user
 * by it). Users made before this migration have none and cannot call the API until given one.
 */
export class UserTokens1764100000008 implements MigrationInterface {
  name = 'UserTokens1764100000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.users ADD COLUMN token_hash bytea`);
    await q.query(`CREATE UNIQUE INDEX users_token_hash ON ${CHAT_SCHEMA}.users (token_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.users DROP COLUMN token_hash`);
  }
}
