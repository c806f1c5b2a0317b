import { ConnectionEntity } from '../persistence/connection.entity';
import { parseEnvelope } from '../protocol/envelope';
import { applyEnvelope } from './envelope-effect';

const from = { relay: 'http://r', recipientId: 'rid', msgId: 'm1' };

function conn(patch: Partial<ConnectionEntity>): ConnectionEntity {
  return Object.assign(new ConnectionEntity(), { userId: 'u', connId: 'c', ...patch });
}

describe('applyEnvelope', () => {
  it('turns a conf at an invited inviter into CONF and stores the reply queue and key', () => {
    const c = conn({ role: 'inviter', status: 'invited' });
    const env = parseEnvelope(JSON.stringify({ t: 'conf', senderKey: 'K', reply: { relay: 'http://j', senderId: 's' }, connInfo: 'hi' }));
    const effect = applyEnvelope(c, env, from);
    expect(effect.events).toEqual([expect.objectContaining({ type: 'CONF', confirmationId: 'm1', connInfo: 'hi' })]);
    expect(c).toMatchObject({ status: 'confirmed', peerSenderKey: 'K', sndRelay: 'http://j', sndSenderId: 's' });
  });

  it('derives the same event ids from the same relay message (a redelivery repeats them)', () => {
    const env = parseEnvelope(JSON.stringify({ t: 'hello' }));
    const a = applyEnvelope(conn({ role: 'inviter', status: 'allowed' }), env, from);
    const b = applyEnvelope(conn({ role: 'inviter', status: 'allowed' }), env, from);
    expect(a.events[0].eventId).toBe(b.events[0].eventId);
  });

  it('asks for the handshake IO on info at a joiner, and drops what the state does not allow', () => {
    const info = parseEnvelope(JSON.stringify({ t: 'info', senderKey: 'K2', connInfo: 'x' }));
    expect(applyEnvelope(conn({ role: 'joiner', status: 'joined' }), info, from).handshake).toBe(true);
    expect(applyEnvelope(conn({ role: 'inviter', status: 'invited' }), info, from).dropped).toBeDefined();
    const msg = parseEnvelope(JSON.stringify({ t: 'msg', msgId: 'x', body: 'b' }));
    expect(applyEnvelope(conn({ role: 'joiner', status: 'joined' }), msg, from).dropped).toBeDefined();
    expect(applyEnvelope(conn({ role: 'joiner', status: 'connected' }), msg, from).events[0]).toMatchObject({ type: 'MSG', agentMsgId: 'm1' });
    expect(applyEnvelope(conn({ role: 'joiner', status: 'connected' }), parseEnvelope('not json'), from).dropped).toBeDefined();
  });
});
