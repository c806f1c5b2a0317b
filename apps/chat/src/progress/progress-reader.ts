import type { DataSource, EntityManager } from 'typeorm';
import { connectionsOfGroup } from '../connections/connection-store';
import { forwardedCount } from '../group-messages/group-message-store';
import { groupsCopiesOf, membersWithConnectionState } from '../members/group-store';
import { Group } from '../members/group.entity';
import { introductionProgress } from '../members/introduction-store';
import { hasDeparted } from '../members/member.entity';
import { pendingOnConnections } from '../outbox/command-store';
import { pairKey, PendingStep, ProgressInput, STUCK_SHOWN } from './group-progress';

/** The agent's note on a retried command's job (its progress): why it is still waiting. */
export type RetryNote = (corrId: string) => Promise<{ attempts?: number; lastError?: string } | undefined>;

/**
 * Loads what groupProgress() needs. The host also sees the pending commands of the members' own
 * copies of the group that live on this chat service: an introduction is worked on by the two
 * members, and that is where its step and last error are. A pending command belongs to the pair
 * (the copy's own member, the member its connection is with).
 */
export async function readProgressInput(db: DataSource | EntityManager, group: Group, retryNote?: RetryNote): Promise<ProgressInput> {
  const isHost = group.selfMemberId === group.hostMemberId;
  // The other users' copies are shown only to the group's real host: one who created it here (a copy
  // made from an x.grp.inv names the contact it came over, and a peer could forge one that makes its
  // receiver look like the host of someone else's group).
  const viewer = isHost && group.invitedViaConnId === null ? null : group.userId;
  const [members, introductions, conns, copies, messagesForwarded] = await Promise.all([
    membersWithConnectionState(db, group.userId, group.id),
    isHost ? introductionProgress(db, group.userId, group.id, STUCK_SHOWN) : Promise.resolve({ connected: 0, reintroductions: 0, waiting: [] }),
    connectionsOfGroup(db, group.id, viewer),
    groupsCopiesOf(db, group.id, viewer),
    forwardedCount(db, group.userId, group.id),
  ]);
  const selfOf = new Map(copies.map((c) => [c.userId, c.selfMemberId]));
  const connById = new Map(conns.map((c) => [c.id, c]));
  const pending = (await pendingOnConnections(db, conns.map((c) => c.id))).flatMap((p) => {
    const conn = connById.get(p.connId);
    const owner = selfOf.get(p.userId);
    // A SEND or ACK on a group connection is traffic, not a step of the pair's handshake.
    if (!conn?.memberId || !owner || p.function === 'SEND_MESSAGE' || p.function === 'ACK_MESSAGE') return [];
    return [{ corrId: p.corrId, ownerMemberId: owner, peerMemberId: conn.memberId, function: p.function, createdAt: p.createdAt, attempts: p.attempts, lastError: p.lastError }];
  });
  return {
    selfMemberId: group.selfMemberId,
    hostMemberId: group.hostMemberId,
    // A removed or departed member is no pair of the group any more.
    members: members.filter((m) => !hasDeparted(m.status)),
    introductions: introductions.waiting,
    connectedIntroductions: introductions.connected,
    reintroductions: introductions.reintroductions,
    pending: await withRetryNotes(pending, retryNote),
    messagesForwarded,
  };
}

/**
 * The chat learns of a command's transient failures only from the agent's note on its job; read
 * for the oldest pending command of each pair, the one /progress shows.
 */
async function withRetryNotes(pending: PendingStep[], retryNote?: RetryNote): Promise<PendingStep[]> {
  if (!retryNote) return pending;
  const oldest = new Map<string, PendingStep>();
  for (const p of pending) {
    const key = pairKey(p.ownerMemberId, p.peerMemberId);
    const seen = oldest.get(key);
    if (!seen || p.createdAt < seen.createdAt) oldest.set(key, p);
  }
  await Promise.all(
    [...oldest.values()].map(async (p) => {
      const note = await retryNote(p.corrId).catch(() => undefined);
      if (note?.lastError && !p.lastError) p.lastError = note.lastError;
      if (typeof note?.attempts === 'number' && note.attempts > p.attempts) p.attempts = note.attempts;
    }),
  );
  return pending;
}
