import { shardOf, shardOfMessage, shardPrefix, splitByShard } from './queue-shards';

describe('shardOf', () => {
  it('is the first 4 bytes of SHA-256 modulo N: fixed vectors from `printf %s id | sha256sum`, so no process or version can differ', () => {
    // id → first 8 hex digits of its SHA-256 → as uint32
    const vectors: [string, number][] = [
      ['c-1', 0xa6f7ef47],
      ['conn-abc', 0x5372afd6],
      ['00000000-0000-4000-8000-000000000000', 0xdb8055e0],
      ['x', 0x2d711642],
    ];
    for (const [id, word] of vectors) {
      for (const n of [1, 2, 3, 4, 7, 64]) expect(shardOf(id, n)).toBe(word % n);
    }
    expect(shardOf('c-1', 4)).toBe(3);
    expect(shardOf('conn-abc', 4)).toBe(2);
  });

  it('spreads connections over every shard and never moves one', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const counts = new Array(4).fill(0);
    for (const id of ids) counts[shardOf(id, 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(60); // 100 expected each
    for (const id of ids.slice(0, 50)) expect(new Set([1, 2, 3].map(() => shardOf(id, 4))).size).toBe(1);
  });

  it('rejects a shard count out of range', () => {
    for (const n of [0, -1, 1.5, 65, Number.NaN]) expect(() => shardOf('c', n)).toThrow(RangeError);
  });
});

describe('shardPrefix', () => {
  it('keeps the prefix exactly with one shard', () => {
    expect(shardPrefix('{gc}', 0, 1)).toBe('{gc}');
    expect(shardPrefix('plain', 0, 1)).toBe('plain');
  });
  it('adds :n inside the hash tag', () => {
    expect([0, 1, 2, 3].map((n) => shardPrefix('{gc}', n, 4))).toEqual(['{gc:0}', '{gc:1}', '{gc:2}', '{gc:3}']);
    expect(shardPrefix('app{t-x-1}b', 2, 3)).toBe('app{t-x-1:2}b');
  });
  it('makes a hash tag of a prefix that has none (an empty {} is no tag to Redis)', () => {
    expect(shardPrefix('gc', 1, 2)).toBe('{gc:1}');
    expect(shardPrefix('a{}b', 0, 2)).toBe('{a{}b:0}');
  });
  it('rejects a shard outside 0..N-1', () => {
    expect(() => shardPrefix('{gc}', 4, 4)).toThrow(RangeError);
  });
});

describe('commands and events by shard', () => {
  it('a SUBSCRIBE split per shard keeps each group on the shard of its connections, in order', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `conn-${i}`);
    const groups = splitByShard(ids, 4);
    expect([...groups.values()].flat().sort()).toEqual([...ids].sort());
    for (const [shard, group] of groups) {
      expect(group).toEqual(ids.filter((id) => shardOf(id, 4) === shard));
      expect(shardOfMessage({ connIds: group }, 4)).toBe(shard);
    }
  });
  it('an event without a connection goes to shard 0', () => {
    expect(shardOfMessage({}, 4)).toBe(0);
    expect(shardOfMessage({ connId: 'c-1' }, 4)).toBe(3);
  });
});
