import { randomBytes } from 'node:crypto';
import { bucketOf, BucketOwners, mergeRuns, OWNER_BUCKETS } from './owner-buckets';

describe('owner buckets', () => {
  const three = ['agent-a', 'agent-b', 'agent-c'];

  it("a queue's owner is its bucket's; the runs of an agent are exactly the buckets it owns", () => {
    const owners = new BucketOwners(three);
    const covered = new Map<number, string>();
    for (const agent of three) {
      for (const [first, last] of owners.runsOf(agent)) for (let b = first; b <= last; b++) covered.set(b, agent);
    }
    expect(covered.size).toBe(OWNER_BUCKETS);
    for (let i = 0; i < 500; i++) {
      const id = randomBytes(16).toString('base64url');
      expect(owners.ownerOfQueue(id)).toBe(covered.get(bucketOf(id)));
    }
  });

  it('spreads buckets evenly and moves only the leaving agent\'s', () => {
    const before = new BucketOwners(three);
    const after = new BucketOwners(['agent-a', 'agent-c']);
    const share = (o: BucketOwners, a: string) => o.runsOf(a).reduce((n, [f, l]) => n + l - f + 1, 0);
    for (const a of three) expect(share(before, a)).toBeGreaterThan(OWNER_BUCKETS / 3 - 150);
    for (const a of ['agent-a', 'agent-c']) {
      for (const [first, last] of before.runsOf(a)) for (let b = first; b <= last; b++) expect(after.runsOf(a).some(([f, l]) => f <= b && b <= l)).toBe(true);
    }
  });

  it('gives every bucket the same owner whatever the order of the live set, and none without live agents', () => {
    const forward = new BucketOwners(three);
    const backward = new BucketOwners([...three].reverse());
    for (const agent of three) expect(backward.runsOf(agent)).toEqual(forward.runsOf(agent));
    expect(new BucketOwners([]).ownerOfQueue('q')).toBe('');
  });

  it('one agent owns everything in one run', () => {
    expect(new BucketOwners(['solo']).runsOf('solo')).toEqual([[0, OWNER_BUCKETS - 1]]);
  });

  it('joins runs across gaps of at most maxGap buckets, keeping every owned bucket', () => {
    const runs: Array<[number, number]> = [[0, 1], [3, 3], [10, 12], [14, 20]];
    expect(mergeRuns(runs, 0)).toEqual(runs);
    expect(mergeRuns(runs, 1)).toEqual([[0, 3], [10, 20]]);
    expect(mergeRuns(runs, OWNER_BUCKETS)).toEqual([[0, 20]]);
  });
});
