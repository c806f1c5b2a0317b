import { Connection } from '../connections/connection.entity';
import { hostConnId, lockGroup, lockMember, membersByIds, resetMemberForReintroduction } from '../members/group-store';
import { introductionFailed, IntroductionKey, lockIntroductionOfPair, restartIntroduction } from '../members/introduction-store';
import { hasDeparted } from '../members/member.entity';
import { ChatTx } from '../outbox/chat-tx';
import { ProtocolMessageOf } from '../protocol/protocol-message';
import { sendProtocolMessage, sendRequest } from '../protocol/protocol-sender';
import { deleteConnectionsWith } from './departure-flow';

/**
 * Re-introduction after a permanent failure (docs/architecture.md, "Chat as built"): a member whose group
 * connection from an introduction failed for good tells the host (x.grp.mem.fail); the host marks the
 * introduction `retrying`, IntroductionRetrier schedules it with a capped backoff for a bounded number
 * of attempts (INTRO_RETRY_*), and when it is due the host tells both members to forget their
 * connections with each other (x.grp.mem.reset) and introduces them again: the newcomer makes fresh
 * invitations, which the host forwards as the first time. After the last attempt it is `failed`.
 */

/** Member side, on the permanent failure of the group connection `connId` with a member: the host hears why. */
export async function reportIntroFailure(tx: ChatTx, userId: string, groupId: string, memberId: string, connId: string, reason: string): Promise<void> {
  const member = await lockMember(tx, userId, groupId, memberId);
  // A connection of an earlier attempt (reset since) fails nothing of the current one.
  if (!member || hasDeparted(member.status) || member.connId !== connId) return;
  const hostConn = await hostConnId(tx, userId, groupId);
  if (hostConn) await sendProtocolMessage(tx, userId, hostConn, { type: 'x.grp.mem.fail', memberId, reason: reason.slice(0, 2_000) });
}

/** Host: x.grp.mem.fail from a member about its introduction to another: re-introduce them (scheduled). */
export async function onIntroFailedReport(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.fail'>): Promise<void> {
  const intro = await lockIntroductionOfPair(tx, conn.userId, conn.groupId!, conn.memberId!, msg.memberId);
  // Connected, or already being retried or given up: a second report of the same failure changes nothing.
  if (!intro || intro.status === 'connected' || intro.status === 'retrying' || intro.status === 'failed') return;
  await introductionFailed(tx, intro.key, msg.reason);
}

/** Host: a due re-introduction of one pair (under the group lock, as every introduction). */
export async function reintroduce(tx: ChatTx, key: IntroductionKey): Promise<void> {
  if (!(await lockGroup(tx, key.userId, key.groupId))) return;
  if (!(await restartIntroduction(tx, key))) return;
  const pair = await membersByIds(tx, key.userId, key.groupId, [key.newMemberId, key.existingMemberId]);
  const newcomer = pair.find((m) => m.id === key.newMemberId);
  const existing = pair.find((m) => m.id === key.existingMemberId);
  // A departed member's introductions are gone; one whose own connection with us failed cannot be reached.
  if (!newcomer?.connId || !existing?.connId || newcomer.status !== 'connected' || existing.status !== 'connected') return;
  await tx.askAll(key.userId, [
    sendRequest(newcomer.connId, { type: 'x.grp.mem.reset', memberId: existing.id, as: 'introduced' }),
    sendRequest(newcomer.connId, { type: 'x.grp.mem.intro', memberId: existing.id, displayName: existing.displayName }),
    sendRequest(existing.connId, { type: 'x.grp.mem.reset', memberId: newcomer.id, as: 'announced' }),
  ]);
}

/** Member side: x.grp.mem.reset from the host: our connections with that member go, its row starts over. */
export async function onMemberReset(tx: ChatTx, conn: Connection, msg: ProtocolMessageOf<'x.grp.mem.reset'>): Promise<void> {
  const group = await lockGroup(tx, conn.userId, conn.groupId!);
  const self = group && (await lockMember(tx, group.userId, group.id, group.selfMemberId));
  if (!group || !self || hasDeparted(self.status)) return;
  const member = await lockMember(tx, group.userId, group.id, msg.memberId);
  if (!member || member.isSelf || member.isHost || hasDeparted(member.status)) return;
  await deleteConnectionsWith(tx, member, 'the host re-introduces this member');
  await resetMemberForReintroduction(tx, member, msg.as);
}
