import { reachStage } from '../connections/connection-continuations';
import { failConnectionOf } from '../connections/connection-store';
import { lockMember, setMemberStatus } from '../members/group-store';
import { ChatTx } from '../outbox/chat-tx';
import { ContinuationOf } from '../outbox/continuation';
import { nothingMore, type CommandFailure, type ContinuationHandler } from '../outbox/continuation-handler';
import { onMemberInvitationCreated } from './host-flow';
import { onIntroInvitationCreated, onJoinGroupFailed } from './member-flow';
import { reportIntroFailure } from './reintroduction-flow';

/** A permanent ERR of a command on the group connection with a member: the connection and that member fail. */
async function memberFailed(tx: ChatTx, data: { groupId: string; memberId: string }, failure: CommandFailure): Promise<void> {
  const conn = await failConnectionOf(tx, failure.userId, failure.connId, failure.reason);
  if (!conn) return;
  const member = await lockMember(tx, failure.userId, data.groupId, data.memberId);
  if (member) await setMemberStatus(tx, member, 'failed', failure.reason);
}

/** Our JOIN of the host's invitation failed for good: the host, our membership, and the host is told. */
async function joinGroupFailed(tx: ChatTx, data: ContinuationOf<'JOIN_GROUP'>, failure: CommandFailure): Promise<void> {
  const conn = await failConnectionOf(tx, failure.userId, failure.connId, failure.reason);
  if (!conn) return;
  const host = await lockMember(tx, failure.userId, data.groupId, data.hostMemberId);
  if (host) await setMemberStatus(tx, host, 'failed', failure.reason);
  await onJoinGroupFailed(tx, conn, failure.reason);
}

/**
 * An introduction's connection failed for good; only the group one fails the member (the direct
 * one is a contact), and the host hears it, to introduce the pair again (reintroduction-flow.ts).
 */
async function introFailed(tx: ChatTx, data: ContinuationOf<'CREATE_INTRO_INVITATIONS' | 'JOIN_FORWARDED_INTRO' | 'ALLOW_INTRO'>, failure: CommandFailure): Promise<void> {
  if (data.part !== 'group') {
    await failConnectionOf(tx, failure.userId, failure.connId, failure.reason);
    return;
  }
  await reportIntroFailure(tx, failure.userId, data.groupId, data.memberId, failure.connId, failure.reason);
  await memberFailed(tx, data, failure);
}

/** The continuations of the group protocol (docs/architecture.md), with the SimpleX functions they stand for. */
export const GROUP_HANDLERS = {
  CREATE_GROUP_MEMBER_INVITATION: { expects: 'INV', resume: onMemberInvitationCreated, fail: memberFailed }, // SimpleX APIAddMember
  JOIN_GROUP: { expects: 'JOINED', resume: reachStage('joined'), fail: joinGroupFailed }, // SimpleX APIJoinGroup
  ALLOW_MEMBER: { expects: 'ALLOWED', resume: reachStage('allowed'), fail: memberFailed }, // x.grp.acpt in CONF
  CREATE_INTRO_INVITATIONS: { expects: 'INV', resume: onIntroInvitationCreated, fail: introFailed }, // x.grp.mem.intro
  JOIN_FORWARDED_INTRO: { expects: 'JOINED', resume: reachStage('joined'), fail: introFailed }, // x.grp.mem.fwd
  ALLOW_INTRO: { expects: 'ALLOWED', resume: reachStage('allowed'), fail: introFailed }, // x.grp.mem.info in CONF
  // The connection ended when the DELETE was asked; the agent's answer changes nothing more (a
  // failure stays visible on the command: the agent may still hold that connection).
  DELETE_MEMBER_CONNECTION: { expects: 'DELETED', resume: nothingMore, fail: nothingMore },
} satisfies {
  CREATE_GROUP_MEMBER_INVITATION: ContinuationHandler<'CREATE_GROUP_MEMBER_INVITATION', 'INV'>;
  JOIN_GROUP: ContinuationHandler<'JOIN_GROUP', 'JOINED'>;
  ALLOW_MEMBER: ContinuationHandler<'ALLOW_MEMBER', 'ALLOWED'>;
  CREATE_INTRO_INVITATIONS: ContinuationHandler<'CREATE_INTRO_INVITATIONS', 'INV'>;
  JOIN_FORWARDED_INTRO: ContinuationHandler<'JOIN_FORWARDED_INTRO', 'JOINED'>;
  ALLOW_INTRO: ContinuationHandler<'ALLOW_INTRO', 'ALLOWED'>;
  DELETE_MEMBER_CONNECTION: ContinuationHandler<'DELETE_MEMBER_CONNECTION', 'DELETED'>;
};
