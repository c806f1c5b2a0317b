import type { MemberConnectionState } from '../members/group-store';
import type { MemberStatus } from '../members/member.entity';

/** A member as the members store reads it for this view: `connected` is the group connection's state. */
export type ProgressMember = MemberConnectionState;

/** Host side: one row per introduced pair (join sequence step 3). */
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
  /** The introductions not connected yet (all of them, when connectedIntroductions is not given). */
  introductions: ProgressIntroduction[];
  /** How many introductions between live members are connected (counted by the store, not listed). */
  connectedIntroductions?: number;
  /** Re-introductions made in all (summed by the store); else summed over `introductions`. */
  reintroductions?: number;
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
  /** The first STUCK_SHOWN pairs that wait (a group of 1,000 has ~500k pairs: the answer stays small). */
  stuck: StuckPair[];
  /** How many pairs wait in all. */
  stuckTotal: number;
  messagesForwarded: number;
  /** Host: re-introductions made after a pair's connection failed for good (docs/architecture.md). */
  reintroductions: number;
}

export const STUCK_SHOWN = 100;

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
  // `fallback` is made only for the pairs shown: past STUCK_SHOWN a waiting pair is only counted.
  const waitOn = (a: string, b: string, fallbackOf: () => Omit<StuckPair, 'attempts'> & { attempts?: number }) => {
    if (stuck.length >= STUCK_SHOWN) return;
    const fallback = fallbackOf();
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
      waitOn(input.selfMemberId, m.memberId, () => ({ memberId: m.memberId, peerMemberId: input.selfMemberId, step: WAITING.failed, since, lastError: m.failureReason }));
    } else {
      const step = m.status === 'invited' && input.selfMemberId === input.hostMemberId ? WAITING.join : WAITING.connection;
      waitOn(input.selfMemberId, m.memberId, () => ({ memberId: m.memberId, peerMemberId: input.selfMemberId, step, since, lastError: m.failureReason }));
    }
  }

  const { messagesForwarded } = input;
  if (input.selfMemberId !== input.hostMemberId) {
    return { pairsConnected, pairsTotal, members: publicMembers(input.members), stuck, stuckTotal: pairsTotal - pairsConnected, messagesForwarded, reintroductions: 0 };
  }

  // Host: every pair of members, which its introductions connect. The work is the introductions not
  // connected yet plus the pairs of members not connected to the host: a pair of two connected members
  // always has an introduction (written when the later of them connected), and a member not connected
  // to the host has none yet. So a group of 1,000 costs its waiting pairs, not its 500k pairs.
  const live = input.members.filter((m) => m.status !== 'failed');
  const liveIds = new Set(live.map((m) => m.memberId));
  pairsTotal += (live.length * (live.length - 1)) / 2;
  const intros = input.introductions.filter((i) => liveIds.has(i.newMemberId) && liveIds.has(i.existingMemberId));
  pairsConnected += input.connectedIntroductions ?? intros.filter((i) => i.status === 'connected').length;
  const reintroductions = input.reintroductions ?? intros.reduce((n, i) => n + i.attempts, 0);
  for (const intro of intros) {
    if (intro.status === 'connected') continue;
    if (intro.status === 'retrying' || intro.status === 'failed') {
      // The pair's connection failed for good: the host introduces it again, or gave up.
      const step = intro.status === 'failed' ? WAITING.failed : WAITING.reintroduction;
      if (stuck.length < STUCK_SHOWN) stuck.push({ memberId: intro.newMemberId, peerMemberId: intro.existingMemberId, step, since: intro.updatedAt.toISOString(), attempts: intro.attempts, lastError: intro.lastError });
      continue;
    }
    const [owner, peer] = intro.status === 'new' ? [intro.newMemberId, intro.existingMemberId] : [intro.existingMemberId, intro.newMemberId];
    const step = intro.status === 'new' ? WAITING.introInvitations : WAITING.introConnection;
    waitOn(intro.newMemberId, intro.existingMemberId, () => ({ memberId: owner, peerMemberId: peer, step, since: intro.updatedAt.toISOString(), lastError: null }));
  }
  // Introduced once both are connected to the host: name the (first) one that is not.
  const late = live.map((m, index) => ({ m, index })).filter(({ m }) => m.status !== 'connected');
  list: for (const { m: l, index } of late) {
    for (const [j, o] of live.entries()) {
      if (stuck.length >= STUCK_SHOWN) break list;
      if (j === index || (o.status !== 'connected' && j < index)) continue; // that pair was named from o
      waitOn(l.memberId, o.memberId, () => ({ memberId: l.memberId, peerMemberId: o.memberId, step: WAITING.hostConnection, since: l.updatedAt.toISOString(), lastError: null }));
    }
  }
  return { pairsConnected, pairsTotal, members: publicMembers(input.members), stuck, stuckTotal: pairsTotal - pairsConnected, messagesForwarded, reintroductions };
}

function publicMembers(members: ProgressMember[]): GroupProgress['members'] {
  return members.map((m) => ({ memberId: m.memberId, displayName: m.displayName, status: m.status, connected: m.connected }));
}
