import { Group } from './group.entity';
import { Member } from './member.entity';

/** Raw rows of groups and members (hot paths skip TypeORM's query builder and mapping). */
export const GROUP_SELECT = `user_id, id, name, host_member_id, self_member_id, invitation, invited_via_conn_id, created_at`;
export interface GroupRow {
  user_id: string;
  id: string;
  name: string;
  host_member_id: string;
  self_member_id: string;
  invitation: string | null;
  invited_via_conn_id: string | null;
  created_at: Date;
}
export function groupFromRow(r: GroupRow): Group {
  return Object.assign(new Group(), {
    userId: r.user_id,
    id: r.id,
    name: r.name,
    hostMemberId: r.host_member_id,
    selfMemberId: r.self_member_id,
    invitation: r.invitation,
    invitedViaConnId: r.invited_via_conn_id,
    createdAt: r.created_at,
  } satisfies Group);
}

export const MEMBER_SELECT = `user_id, group_id, id, display_name, is_self, is_host, status, conn_id, direct_conn_id, invited_via_contact_id, failure_reason, created_at, updated_at`;
export interface MemberRow {
  user_id: string;
  group_id: string;
  id: string;
  display_name: string;
  is_self: boolean;
  is_host: boolean;
  status: Member['status'];
  conn_id: string | null;
  direct_conn_id: string | null;
  invited_via_contact_id: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}
export function memberFromRow(r: MemberRow): Member {
  return Object.assign(new Member(), {
    userId: r.user_id,
    groupId: r.group_id,
    id: r.id,
    displayName: r.display_name,
    isSelf: r.is_self,
    isHost: r.is_host,
    status: r.status,
    connId: r.conn_id,
    directConnId: r.direct_conn_id,
    invitedViaContactId: r.invited_via_contact_id,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } satisfies Member);
}
