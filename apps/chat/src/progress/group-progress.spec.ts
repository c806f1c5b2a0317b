import { groupProgress, ProgressInput, STUCK_SHOWN, WAITING } from './group-progress';

const H = 'h0000000-0000-4000-8000-000000000000';
const [A, B, C] = ['a', 'b', 'c'].map((x) => `${x}0000000-0000-4000-8000-000000000000`);
const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 21, 0, s));
const member = (memberId: string, status: ProgressInput['members'][number]['status'], connected = status === 'connected') => ({
  memberId,
  displayName: memberId[0],
  status,
  connected,
  updatedAt: t(1),
  failureReason: status === 'failed' ? 'INVALID_INVITATION: bad' : null,
});

describe('groupProgress', () => {
  it('host: every pair of the group, connected ones counted, the others with the step they wait on', () => {
    const p = groupProgress({
      selfMemberId: H,
      hostMemberId: H,
      members: [member(A, 'connected'), member(B, 'connected'), member(C, 'accepted')],
      introductions: [{ newMemberId: B, existingMemberId: A, status: 'forwarded', updatedAt: t(2), attempts: 0, lastError: null }],
      pending: [
        { corrId: 'k1', ownerMemberId: H, peerMemberId: C, function: 'ALLOW_MEMBER', createdAt: t(3), attempts: 4, lastError: 'relay answered 503' },
        { corrId: 'k2', ownerMemberId: A, peerMemberId: B, function: 'JOIN_FORWARDED_INTRO', createdAt: t(4), attempts: 2, lastError: null },
      ],
      messagesForwarded: 3,
    });
    expect(p.messagesForwarded).toBe(3);
    expect(p.pairsTotal).toBe(6); // H–A, H–B, H–C, A–B, A–C, B–C
    expect(p.pairsConnected).toBe(2);
    expect(p.stuck).toEqual(
      expect.arrayContaining([
        { memberId: H, peerMemberId: C, step: 'ALLOW_MEMBER', since: t(3).toISOString(), attempts: 4, lastError: 'relay answered 503' },
        { memberId: A, peerMemberId: B, step: 'JOIN_FORWARDED_INTRO', since: t(4).toISOString(), attempts: 2, lastError: null },
        expect.objectContaining({ memberId: C, step: WAITING.hostConnection }),
      ]),
    );
    expect(p.stuck).toHaveLength(4);
  });

  it('a failed member is stuck with its reason and leaves the member pairs', () => {
    const p = groupProgress({ selfMemberId: H, hostMemberId: H, members: [member(A, 'connected'), member(B, 'failed')], introductions: [], pending: [], messagesForwarded: 0 });
    expect(p.pairsTotal).toBe(2);
    expect(p.stuck).toEqual([expect.objectContaining({ memberId: B, step: WAITING.failed, lastError: 'INVALID_INVITATION: bad' })]);
  });

  it('host: a pair whose connection failed for good waits on its re-introduction, then is failed after the last attempt', () => {
    const intro = (status: string, attempts: number) => ({ newMemberId: B, existingMemberId: A, status, updatedAt: t(5), attempts, lastError: 'RELAY_REFUSED: unknown queue' });
    const input = { selfMemberId: H, hostMemberId: H, members: [member(A, 'connected'), member(B, 'connected')], pending: [], messagesForwarded: 0 };
    const retrying = groupProgress({ ...input, introductions: [intro('retrying', 1)] });
    expect(retrying.reintroductions).toBe(1);
    expect(retrying.stuck).toEqual([{ memberId: B, peerMemberId: A, step: WAITING.reintroduction, since: t(5).toISOString(), attempts: 1, lastError: 'RELAY_REFUSED: unknown queue' }]);
    const failed = groupProgress({ ...input, introductions: [intro('failed', 3)] });
    expect(failed.stuck).toEqual([expect.objectContaining({ step: WAITING.failed, attempts: 3, lastError: 'RELAY_REFUSED: unknown queue' })]);
    expect(groupProgress({ ...input, introductions: [intro('connected', 2)] })).toMatchObject({ pairsConnected: 3, stuck: [], reintroductions: 2 });
  });

  it('member: only its own pairs', () => {
    const p = groupProgress({ selfMemberId: A, hostMemberId: H, members: [member(H, 'connected'), member(B, 'intro-invited')], introductions: [], pending: [], messagesForwarded: 0 });
    expect(p).toMatchObject({ pairsConnected: 1, pairsTotal: 2, stuck: [expect.objectContaining({ memberId: B, step: WAITING.connection })] });
  });

  it('a host of 1,000 members: every pair counted, only the first STUCK_SHOWN of the waiting ones listed', () => {
    const members = Array.from({ length: 1_000 }, (_, i) => member(`${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, i % 2 ? 'connected' : 'accepted'));
    const p = groupProgress({ selfMemberId: H, hostMemberId: H, members, introductions: [], pending: [], messagesForwarded: 0 });
    expect(p.pairsTotal).toBe(1_000 + (1_000 * 999) / 2);
    expect(p.pairsConnected).toBe(500);
    expect(p.stuck).toHaveLength(STUCK_SHOWN);
    expect(p.stuckTotal).toBe(p.pairsTotal - p.pairsConnected);
  });
});
