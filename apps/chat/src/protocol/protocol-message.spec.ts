import { randomUUID } from 'node:crypto';
import { encodeProtocolBatch, encodeProtocolMessage, MAX_BATCHED_MESSAGES, parseProtocolMessage, parseProtocolMessages, readsBatches } from './protocol-message';

describe('protocol messages', () => {
  it('round-trips a message', () => {
    const msg = { type: 'x.grp.mem.info' as const, memberId: randomUUID(), displayName: 'Carol' };
    expect(parseProtocolMessage(encodeProtocolMessage(msg))).toEqual(msg);
  });

  it('carries removal and leaving with the member they name, and nothing else', () => {
    for (const type of ['x.grp.mem.del', 'x.grp.leave'] as const) {
      const msg = { type, memberId: randomUUID() };
      expect(parseProtocolMessage(encodeProtocolMessage(msg))).toEqual(msg);
      expect(parseProtocolMessage(JSON.stringify({ type }))).toBeNull();
      expect(parseProtocolMessage(JSON.stringify({ type, memberId: 'not-a-uuid' }))).toBeNull();
    }
  });

  it('drops malformed bodies instead of throwing', () => {
    expect(parseProtocolMessage('not json')).toBeNull();
    expect(parseProtocolMessage(JSON.stringify({ type: 'x.grp.acpt', memberId: 'nope' }))).toBeNull();
    expect(parseProtocolMessage(JSON.stringify({ type: 'x.unknown' }))).toBeNull();
  });

  describe('batched bodies', () => {
    const intro = () => ({ type: 'x.grp.mem.intro' as const, memberId: randomUUID(), displayName: 'Dan' });

    it('one message stays a plain object, as a peer that reads no batches expects; several are an array, in order', () => {
      const one = intro();
      expect(encodeProtocolBatch([one])).toBe(encodeProtocolMessage(one));
      expect(parseProtocolMessages(encodeProtocolBatch([one]))).toEqual([one]);
      const many = Array.from({ length: 5 }, intro);
      expect(JSON.parse(encodeProtocolBatch(many))).toHaveLength(5);
      expect(parseProtocolMessages(encodeProtocolBatch(many))).toEqual(many);
    });

    it('a malformed item is dropped alone; an oversized or unreadable batch as a whole', () => {
      const [a, b] = [intro(), intro()];
      expect(parseProtocolMessages(JSON.stringify([a, { type: 'x.grp.mem.intro', memberId: 'nope' }, 'junk', b]))).toEqual([a, b]);
      expect(parseProtocolMessages(JSON.stringify(Array.from({ length: MAX_BATCHED_MESSAGES + 1 }, intro)))).toEqual([]);
      expect(parseProtocolMessages('[not json')).toEqual([]);
      expect(() => encodeProtocolBatch(Array.from({ length: MAX_BATCHED_MESSAGES + 1 }, intro))).toThrow(/1 to 64/);
      expect(() => encodeProtocolBatch([])).toThrow();
    });

    it("only a member whose x.grp.acpt says `batches` is sent batched bodies (an older chat's acpt has no such field)", () => {
      const memberId = randomUUID();
      expect(readsBatches(encodeProtocolMessage({ type: 'x.grp.acpt', memberId, batches: true }))).toBe(true);
      expect(readsBatches(encodeProtocolMessage({ type: 'x.grp.acpt', memberId }))).toBe(false);
      expect(readsBatches(JSON.stringify({ type: 'x.grp.acpt', memberId, batches: 'yes' }))).toBe(false);
      expect(readsBatches(null)).toBe(false);
      expect(readsBatches(encodeProtocolMessage({ type: 'x.ok' }))).toBe(false);
    });
  });
});
