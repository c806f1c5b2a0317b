import { CommandRefusal } from '../retry/command-refusal';
import { decodeInvitation, encodeInvitation } from './invitation';

describe('invitation', () => {
  it('round-trips the relay and sender id', () => {
    const body = { v: 1 as const, relay: 'http://127.0.0.1:4000', senderId: 'AAAAAAAAAAAAAAAAAAAAAA' };
    expect(decodeInvitation(encodeInvitation(body))).toEqual(body);
  });

  it.each([
    ['garbage', 'garbage!!'],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ v: 2, relay: 'x' })).toString('base64url')],
    ['not JSON', Buffer.from('hello').toString('base64url')],
  ])('refuses %s with INVALID_INVITATION', (_what, invitation) => {
    expect(() => decodeInvitation(invitation)).toThrow(CommandRefusal);
    try {
      decodeInvitation(invitation);
    } catch (err) {
      expect((err as CommandRefusal).code).toBe('INVALID_INVITATION');
    }
  });
});
