import type { MemberStatus } from '../members/member.entity';

export interface ProgressMember {
  memberId: string;
  displayName: string;
  status: MemberStatus;
  /** The group connection with this member is up (from the viewer's side). */
  connected: boolean;
  updatedAt: Date;
  failureReason: string | null;
}

/** Host side: one row per introduced pair (design §5 step 3). */
export interface ProgressIntroduction {
  newMemberId: string;
  existingMemberId: string;
  status: string;
  updatedAt: Date;
  /** Re-introductions made after a permanent failure, and the last failure's reason. */
  attempts: number;
  lastError: string | null;
}

/** A pending command of some member of the group, about its connection with `peerMemberId`. */
export interface PendingStep {
  corrId: string;
  ownerMemberId: string;
  peerMemberId: string;
  function: string;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

export interface ProgressInput {
  selfMemberId: string;
  hostMemberId: string;
  members: ProgressMember[];
  introductions: ProgressIntroduction[];
  pending: PendingStep[];
  /** Deliveries of group messages that went through the host (host: forwards made; member: messages received so). */
  messagesForwarded: number;
}

export interface StuckPair {
  /** The member whose step is awaited. */
  memberId: string;
  /** The other end of the pair. */
  peerMemberId: string;
  /** The pending command's function, or what the pair waits for when no command is pending. */
  step: string;
  since: string;
  attempts: number;
  lastError: string | null;
}

export interface GroupProgress {
  pairsConnected: number;
  pairsTotal: number;
  members: Array<{ memberId: string; displayName: string; status: MemberStatus; connected: boolean }>;
  stuck: StuckPair[];
  messagesForwarded: number;
  /** Host: re-introductions made after a pair's connection failed for good (design §5). */
  reintroductions: number;
}

/** Steps a pair waits on when no command of ours is pending: the other side (or the host) must act. */
export const WAITING = {
  join: 'WAITING_FOR_MEMBER_TO_JOIN',
  connection: 'WAITING_FOR_CONNECTION',
  hostConnection: 'WAITING_FOR_HOST_CONNECTION',
  introInvitations: 'WAITING_FOR_INTRO_INVITATIONS',
  introConnection: 'WAITING_FOR_INTRO_CONNECTION',
  reintroduction: 'WAITING_FOR_REINTRODUCTION',
  failed: 'FAILED',
} as const;

export const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Which member pairs of a group are connected, and what each of the others waits on. The host sees
 * every pair (host–member and, through its introductions, member–member); a member sees its own.
 */
export function groupProgress(input: ProgressInput): GroupProgress {
  const oldestPending = new Map<string, PendingStep>();
  for (const p of [...input.pending].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const key = pairKey(p.ownerMemberId, p.peerMemberId);
    if (!oldestPending.has(key)) oldestPending.set(key, p);
  }
  const stuck: StuckPair[] = [];
  let pairsConnected = 0;
  let pairsTotal = 0;
  const waitOn = (a: string, b: string, fallback: Omit<StuckPair, 'attempts'> & { attempts?: number }) => {
    const pending = oldestPending.get(pairKey(a, b));
    stuck.push(
      pending && fallback.step !== WAITING.failed
        ? {
            memberId: pending.ownerMemberId,
            peerMemberId: pending.peerMemberId,
            step: pending.function,
            since: pending.createdAt.toISOString(),
            attempts: pending.attempts,
            lastError: pending.lastError,
          }
        : { attempts: 0, ...fallback },
    );
  };

  // The viewer's own pair with every member.
  for (const m of input.members) {
    pairsTotal++;
    if (m.status === 'connected' && m.connected) {
      pairsConnected++;
      continue;
    }
    const since = m.updatedAt.toISOString();
    if (m.status === 'failed') {
      waitOn(input.selfMemberId, m.memberId, { memberId: m.memberId, peerMemberId: input.selfMemberId, step: WAITING.failed, since, lastError: m.failureReason });
    } else {
      const step = m.status === 'invited' && input.selfMemberId === input.hostMemberId ? WAITING.join : WAITING.connection;
      waitOn(input.selfMemberId, m.memberId, { memberId: m.memberId, peerMemberId: input.selfMemberId, step, since, lastError: m.failureReason });
    }
  }

  const { messagesForwarded } = input;
  if (input.selfMemberId !== input.hostMemberId) return { pairsConnected, pairsTotal, members: publicMembers(input.members), stuck, messagesForwarded, reintroductions: 0 };
  const reintroductions = input.introductions.reduce((n, i) => n + i.attempts, 0);

  // Host: every pair of members, which its introductions connect.
  const intros = new Map(input.introductions.map((i) => [pairKey(i.newMemberId, i.existingMemberId), i]));
  const byId = new Map(input.members.map((m) => [m.memberId, m]));
  const members = input.members.filter((m) => m.status !== 'failed');
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const [a, b] = [members[i], members[j]];
      pairsTotal++;
      const intro = intros.get(pairKey(a.memberId, b.memberId));
      if (intro?.status === 'connected') {
        pairsConnected++;
        continue;
      }
      if (!intro) {
        // Introduced once both are connected to the host: name the one that is not.
        const late = [a, b].find((m) => byId.get(m.memberId)?.status !== 'connected') ?? b;
        const other = late === a ? b : a;
        waitOn(a.memberId, b.memberId, { memberId: late.memberId, peerMemberId: other.memberId, step: WAITING.hostConnection, since: late.updatedAt.toISOString(), lastError: null });
        continue;
      }
      if (intro.status === 'retrying' || intro.status === 'failed') {
        // The pair's connection failed for good: the host introduces it again, or gave up.
        const step = intro.status === 'failed' ? WAITING.failed : WAITING.reintroduction;
        stuck.push({ memberId: intro.newMemberId, peerMemberId: intro.existingMemberId, step, since: intro.updatedAt.toISOString(), attempts: intro.attempts, lastError: intro.lastError });
        continue;
      }
      const [owner, peer] = intro.status === 'new' ? [intro.newMemberId, intro.existingMemberId] : [intro.existingMemberId, intro.newMemberId];
      const step = intro.status === 'new' ? WAITING.introInvitations : WAITING.introConnection;
      waitOn(a.memberId, b.memberId, { memberId: owner, peerMemberId: peer, step, since: intro.updatedAt.toISOString(), lastError: null });
    }
  }
  return { pairsConnected, pairsTotal, members: publicMembers(input.members), stuck, messagesForwarded, reintroductions };
}

function publicMembers(members: ProgressMember[]): GroupProgress['members'] {
  return members.map((m) => ({ memberId: m.memberId, displayName: m.displayName, status: m.status, connected: m.connected }));
}
