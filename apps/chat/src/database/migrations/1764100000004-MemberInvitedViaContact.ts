import { MigrationInterface, QueryRunner } from 'typeorm';
import { CHAT_SCHEMA } from '../../config/chat-schema';

/**
 * Host side: the contact a member was invited through, on the member's own row. The API's "already a
 * member" check and the host's acceptance of x.grp.join.err (only from that contact) read it; before,
 * both read it out of the outbox's continuation JSON, which tied domain queries to a continuation's
 * field names. Rows of members invited before this migration are filled from their invitation's
 * command, once (the last read of a continuation's fields outside the outbox).
 */
export class MemberInvitedViaContact1764100000004 implements MigrationInterface {
  name = 'MemberInvitedViaContact1764100000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.members ADD COLUMN invited_via_contact_id uuid`);
    await q.query(`UPDATE ${CHAT_SCHEMA}.members m SET invited_via_contact_id = (k.continuation->>'contactId')::uuid
      FROM ${CHAT_SCHEMA}.commands k WHERE k.user_id = m.user_id AND k.function = 'CREATE_GROUP_MEMBER_INVITATION'
       AND k.continuation->>'groupId' = m.group_id::text AND k.continuation->>'memberId' = m.id::text`);
    await q.query(`CREATE INDEX members_invited_via_contact ON ${CHAT_SCHEMA}.members (user_id, group_id, invited_via_contact_id) WHERE invited_via_contact_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${CHAT_SCHEMA}.members DROP COLUMN invited_via_contact_id`);
  }
}
