import { randomBytes } from 'node:crypto';
import { ownerOf } from './rendezvous-owner';

describe('ownerOf (rendezvous hashing)', () => {
  const queues = Array.from({ length: 3_000 }, () => randomBytes(16).toString('base64url'));

  it('gives every queue exactly one owner, the same whatever the order of the live set', () => {
    const live = ['agent-a', 'agent-b', 'agent-c'];
    for (const q of queues.slice(0, 200)) expect(ownerOf(q, live)).toBe(ownerOf(q, [...live].reverse()));
    expect(ownerOf('q', [])).toBeUndefined();
  });

  it('spreads queues evenly and moves only the leaving agent\'s queues', () => {
    const three = ['agent-a', 'agent-b', 'agent-c'];
    const counts = new Map<string, number>();
    for (const q of queues) counts.set(ownerOf(q, three)!, (counts.get(ownerOf(q, three)!) ?? 0) + 1);
    for (const a of three) expect(counts.get(a)).toBeGreaterThan(queues.length / 3 - 200);
    const two = ['agent-a', 'agent-c'];
    for (const q of queues) if (ownerOf(q, three) !== 'agent-b') expect(ownerOf(q, two)).toBe(ownerOf(q, three));
  });
});
