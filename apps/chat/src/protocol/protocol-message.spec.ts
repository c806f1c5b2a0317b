import { randomUUID } from 'node:crypto';
import { encodeProtocolMessage, parseProtocolMessage } from './protocol-message';

describe('protocol messages', () => {
  it('round-trips a message', () => {
    const msg = { type: 'x.grp.mem.info' as const, memberId: randomUUID(), displayName: 'Carol' };
    expect(parseProtocolMessage(encodeProtocolMessage(msg))).toEqual(msg);
  });

  it('drops malformed bodies instead of throwing', () => {
    expect(parseProtocolMessage('not json')).toBeNull();
    expect(parseProtocolMessage(JSON.stringify({ type: 'x.grp.acpt', memberId: 'nope' }))).toBeNull();
    expect(parseProtocolMessage(JSON.stringify({ type: 'x.unknown' }))).toBeNull();
  });
});
