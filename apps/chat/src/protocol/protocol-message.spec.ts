import { randomUUID } from 'node:crypto';
import { encodeProtocolMessage, parseProtocolMessage } from './protocol-message';

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
});
