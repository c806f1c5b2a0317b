import { ResubscribeBackoff } from './resubscribe-backoff';

describe('ResubscribeBackoff', () => {
  const S = 15_000;

  it('is due once the stage is S old, then after 2S, 4S, … capped at 5 min', () => {
    const backoff = new ResubscribeBackoff(S);
    const conn = { connId: 'c1', changedAt: 0 };
    expect(backoff.due([conn], S - 1, 100)).toEqual([]);
    expect(backoff.due([conn], S, 100)).toEqual(['c1']);
    expect(backoff.due([conn], S + 2 * S - 1, 100)).toEqual([]);
    expect(backoff.due([conn], S + 2 * S, 100)).toEqual(['c1']);
    const dueTimes: number[] = [];
    for (let t = 3 * S; t < 3 * S + 30 * 60_000; t += 1_000) if (backoff.due([conn], t, 100).length) dueTimes.push(t);
    const gaps = dueTimes.slice(1).map((t, i) => t - dueTimes[i]);
    expect(dueTimes[0]).toBe(3 * S + 4 * S);
    expect(gaps.slice(0, 2)).toEqual([8 * S, 16 * S]);
    expect(Math.max(...gaps)).toBe(5 * 60_000);
  });

  it('starts again from the first delay when the stage changes', () => {
    const backoff = new ResubscribeBackoff(S);
    expect(backoff.due([{ connId: 'c1', changedAt: 0 }], S, 100)).toEqual(['c1']);
    expect(backoff.due([{ connId: 'c1', changedAt: 0 }], 2 * S, 100)).toEqual([]);
    const changed = { connId: 'c1', changedAt: 2 * S };
    expect(backoff.due([changed], 3 * S - 1, 100)).toEqual([]);
    expect(backoff.due([changed], 3 * S, 100)).toEqual(['c1']);
  });

  it('gives at most `limit` per call, oldest first; the rest are due the next call', () => {
    const backoff = new ResubscribeBackoff(S);
    const waiting = ['a', 'b', 'c'].map((connId, i) => ({ connId, changedAt: i }));
    expect(backoff.due(waiting, S + 10, 2)).toEqual(['a', 'b']);
    expect(backoff.due(waiting, S + 11, 2)).toEqual(['c']);
  });

  it('forgets a connection that stopped waiting, so its next wait starts from the first delay', () => {
    const backoff = new ResubscribeBackoff(S);
    expect(backoff.due([{ connId: 'c1', changedAt: 0 }], S, 100)).toEqual(['c1']);
    expect(backoff.due([], S + 1, 100)).toEqual([]);
    expect(backoff.due([{ connId: 'c1', changedAt: 0 }], S + 2, 100)).toEqual(['c1']);
  });
});
