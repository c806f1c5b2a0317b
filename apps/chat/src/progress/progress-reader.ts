import { EntityManager } from 'typeorm';
import { Group } from '../groups/group.entity';
import type { MemberStatus } from '../groups/member.entity';
import { pairKey, PendingStep, ProgressInput } from './group-progress';

/** The agent's note on a retried command's job (its progress): why it is still waiting. */
export type RetryNote = (corrId: string) => Promise<{ attempts?: number; lastError?: string } | undefined>;

/**
 * Loads what groupProgress() needs. The host also sees the pending commands of the members' own
 * copies of the group that live on this chat service: an introduction is worked on by the two
 * members, and that is where its step and last error are.
 */
export async function readProgressInput(em: EntityManager, group: Group, retryNote?: RetryNote): Promise<ProgressInput> {
  const isHost = group.selfMemberId === group.hostMemberId;
  const [members, introductions, pending] = await Promise.all([
    em.query(
      `SELECT m.id, m.display_name, m.status, m.updated_at, m.failure_reason, c.stage = 'connected' AS connected
         FROM members m LEFT JOIN connections c ON c.id = m.conn_id
        WHERE m.user_id = $1 AND m.group_id = $2 AND NOT m.is_self
        ORDER BY m.created_at, m.id`,
      [group.userId, group.id],
    ) as Promise<Array<{ id: string; display_name: string; status: MemberStatus; updated_at: Date; failure_reason: string | null; connected: boolean | null }>>,
    isHost
      ? (em.query(
          `SELECT new_member_id, existing_member_id, status, updated_at FROM introductions WHERE user_id = $1 AND group_id = $2`,
          [group.userId, group.id],
        ) as Promise<Array<{ new_member_id: string; existing_member_id: string; status: string; updated_at: Date }>>)
      : Promise.resolve([]),
    em.query(
      `SELECT k.corr_id, g.self_member_id AS owner, COALESCE(k.continuation->>'memberId', k.continuation->>'hostMemberId') AS peer,
              k.function, k.created_at, k.attempts, k.last_error
         FROM commands k JOIN groups g ON g.user_id = k.user_id AND g.id::text = k.continuation->>'groupId'
        WHERE k.status = 'pending' AND g.id = $1 AND ($2::uuid IS NULL OR k.user_id = $2::uuid)`,
      [group.id, isHost ? null : group.userId],
    ) as Promise<Array<{ corr_id: string; owner: string; peer: string | null; function: string; created_at: Date; attempts: number; last_error: string | null }>>,
  ]);
  return {
    selfMemberId: group.selfMemberId,
    hostMemberId: group.hostMemberId,
    members: members.map((m) => ({
      memberId: m.id,
      displayName: m.display_name,
      status: m.status,
      connected: m.connected === true,
      updatedAt: new Date(m.updated_at),
      failureReason: m.failure_reason,
    })),
    introductions: introductions.map((i) => ({
      newMemberId: i.new_member_id,
      existingMemberId: i.existing_member_id,
      status: i.status,
      updatedAt: new Date(i.updated_at),
    })),
    pending: await withRetryNotes(
      pending
        .filter((p) => p.peer)
        .map((p) => ({
          corrId: p.corr_id,
          ownerMemberId: p.owner,
          peerMemberId: p.peer!,
          function: p.function,
          createdAt: new Date(p.created_at),
          attempts: Number(p.attempts),
          lastError: p.last_error,
        })),
      retryNote,
    ),
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
