import { randomUUID } from 'node:crypto';
import { Continuation, CONTINUATION_FUNCTIONS, ContinuationFunction } from '../outbox/continuation';
import { CONTINUATION_HANDLERS } from './continuation-handlers';

describe('the continuation dispatcher', () => {
  it('has one handler per function, each waiting for a completion event', () => {
    expect(Object.keys(CONTINUATION_HANDLERS).sort()).toEqual([...CONTINUATION_FUNCTIONS].sort());
    for (const fn of CONTINUATION_FUNCTIONS as ContinuationFunction[]) {
      expect(['INV', 'JOINED', 'ALLOWED', 'SENT', 'ACKED', 'DELETED']).toContain(CONTINUATION_HANDLERS[fn].expects);
    }
    expect(CONTINUATION_HANDLERS.CREATE_INTRO_INVITATIONS.expects).toBe('INV');
    expect(CONTINUATION_HANDLERS.JOIN_FORWARDED_INTRO.expects).toBe('JOINED');
    expect(CONTINUATION_HANDLERS.DELETE_MEMBER_CONNECTION.expects).toBe('DELETED');
    expect(CONTINUATION_HANDLERS.ALLOW_INTRO.expects).toBe('ALLOWED');
  });

  it('continuation data is a tagged union: the fields of another function are refused', () => {
    const groupId = randomUUID();
    const memberId = randomUUID();
    expect(Continuation.parse({ function: 'ALLOW_INTRO', groupId, memberId, part: 'direct' }).function).toBe('ALLOW_INTRO');
    expect(() => Continuation.parse({ function: 'ALLOW_INTRO', groupId, memberId })).toThrow(/part/);
    expect(() => Continuation.parse({ function: 'JOIN_CONTACT', contactId: randomUUID(), groupId })).toThrow();
    expect(() => Continuation.parse({ function: 'REBOOT' })).toThrow();
  });
});
