import { Connection } from './connection.entity';

/** A connections row as raw SQL returns it (hot paths skip TypeORM's query builder and mapping). */
export interface ConnectionRow {
  id: string;
  user_id: string;
  role: Connection['role'];
  purpose: Connection['purpose'];
  stage: Connection['stage'];
  contact_id: string | null;
  group_id: string | null;
  member_id: string | null;
  invitation: string | null;
  peer_info: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export const CONNECTION_SELECT = `id, user_id, role, purpose, stage, contact_id, group_id, member_id, invitation, peer_info, failure_reason, created_at, updated_at`;

export function connectionFromRow(row: ConnectionRow): Connection {
  return Object.assign(new Connection(), {
    id: row.id,
    userId: row.user_id,
    role: row.role,
    purpose: row.purpose,
    stage: row.stage,
    contactId: row.contact_id,
    groupId: row.group_id,
    memberId: row.member_id,
    invitation: row.invitation,
    peerInfo: row.peer_info,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } satisfies Connection);
}
