import { AgentEventOf, encodeInvitation } from '@gc/contracts';
import { AddressInfo, createServer, Server } from 'node:net';
import { agreeConnectionKey, generateDhKeyPair } from '../../apps/agent/src/crypto/key-agreement';
import { ConnectionEntity } from '../../apps/agent/src/persistence/connection.entity';
import { sealEnvelope } from '../../apps/agent/src/protocol/sealed-envelope';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { openRelayStream } from '../support/relay-stream';
import { relayApi, senderKeyPair } from '../relay/relay-fixture';
import { connectPair, eventOn, newConnId, newCorrId, resultOf, sendAndReceive } from './chat-side';

/** A TCP listener that counts connections: an agent that "never fetched" an address leaves it at 0. */
async function countingListener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, connections: () => count };
}

async function errOf(stack: AgentStack, corrId: string): Promise<AgentEventOf<'ERR'>> {
  return stack.events.waitFor<AgentEventOf<'ERR'>>((e) => e.type === 'ERR' && e.corrId === corrId, `ERR for ${corrId}`);
}

describe('agent: relays trust no one, invitations cannot aim the agent anywhere', () => {
  let stack: AgentStack;
  let trap: Awaited<ReturnType<typeof countingListener>>;

  beforeAll(async () => {
    [stack, trap] = await Promise.all([startAgentStack({ label: 'agent-relay-trust', relays: 1 }), countingListener()]);
  });
  afterAll(async () => {
    await stack?.stop();
    trap?.server.close();
  });

  it('a corrId, recipientId or senderId seen in logs or Bull Board gets an attacker nothing at the relay', async () => {
    const relay = stack.relays[0].url;
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');
    const [row] = await stack.query(
      `SELECT c.rcv_recipient_id AS rid, c.rcv_sender_id AS sid, m.corr_id AS "createCorrId"
         FROM agent.connections c JOIN agent.commands m ON m.conn_id = c.conn_id AND m.type = 'CREATE'
        WHERE c.user_id = $1 AND c.conn_id = $2`,
      [inviter.userId, inviter.connId],
    );
    const attacker = relayApi(relay);
    const stream = await openRelayStream(relay);
    try {
      // The create's idempotency key (= corrId) gets the attacker a queue of its own, not alice's.
      const stolen = await attacker.createQueue(row.createCorrId, stream.sessionId);
      expect(stolen.status).toBe(201);
      expect(stolen.body.recipientId).not.toBe(row.rid);
      expect(stolen.body.senderId).not.toBe(row.sid);
      // Recipient operations with only the recipientId: refused, each of them.
      expect((await attacker.subscribe(stream.sessionId, [row.rid])).body).toEqual({ subscribed: 0, unknown: [], refused: [row.rid] });
      expect((await attacker.ack(row.rid, 'anything')).status).toBe(403);
      expect((await attacker.secure(row.rid, senderKeyPair().publicKey)).status).toBe(403);
      expect((await attacker.deleteQueue(row.rid)).status).toBe(403);
      for (const path of [`/queues/${row.rid}`, `/queues/${row.rid}/messages/x`]) expect((await attacker.call('DELETE', path)).status).toBe(401);
      // The senderId (in the invitation) lets nobody write to a secured queue without bob's key.
      expect((await attacker.send(row.sid, 'forged', 'hi')).status).toBe(401);
      expect((await attacker.send(row.sid, 'forged', 'hi', senderKeyPair())).status).toBe(403);

      // The connection is untouched: messages still flow both ways, and none reached the attacker's stream.
      expect((await sendAndReceive(stack, joiner, inviter, 'still private')).body).toBe('still private');
      expect((await sendAndReceive(stack, inviter, joiner, 'still ours')).body).toBe('still ours');
      expect(stream.messages()).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('refuses a JOIN whose invitation is malformed or aims at an unacceptable address, with the reason, before any request', async () => {
    const dhKey = generateDhKeyPair().publicKey;
    const senderId = 'A'.repeat(22);
    const inv = (relay: string) => encodeInvitation({ v: 2, relay, senderId, dhKey });
    const raw = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
    const trapUrl = `http://127.0.0.1:${trap.port}`;
    const corpus: Array<[string, string, RegExp]> = [
      ['garbage', '%%% not an invitation %%%', /base64url/],
      ['a wrong version', raw({ v: 1, relay: trapUrl, senderId }), /version 1/],
      ['file:', inv('file:///etc/passwd'), /scheme file:/],
      ['gopher:', inv(`gopher://127.0.0.1:${trap.port}`), /scheme gopher:/],
      ['a path', inv(`${trapUrl}/admin/faults`), /no path/],
      ['a query', inv(`${trapUrl}?x=1`), /no path, query/],
      ['userinfo', inv(`http://user:pw@127.0.0.1:${trap.port}`), /userinfo/],
      ['cloud metadata', inv('http://169.254.169.254'), /internal address/],
      ['a 10.x address', inv('http://10.11.12.13:4000'), /internal address/],
      ['a loopback port that is not one of our relays', inv(trapUrl), /internal address/],
      ['a bad dhKey', raw({ v: 2, relay: stack.relays[0].url, senderId, dhKey: 'A'.repeat(43) }), /dhKey/],
    ];
    const joins = corpus.map(([what, invitation, reason]) => ({
      what,
      reason,
      command: { type: 'JOIN' as const, corrId: newCorrId(), userId: 'mallory-victim', connId: newConnId(), invitation, connInfo: '{}' },
    }));
    for (const j of joins) await stack.send(j.command);
    for (const j of joins) {
      const err = await errOf(stack, j.command.corrId);
      expect({ what: j.what, code: err.error.code, permanent: err.error.permanent }).toEqual({ what: j.what, code: 'INVALID_INVITATION', permanent: true });
      expect({ what: j.what, message: err.error.message }).toEqual({ what: j.what, message: expect.stringMatching(j.reason) });
    }
    expect(trap.connections()).toBe(0);
  });

  it("refuses to ALLOW a peer's conf whose reply relay is unacceptable, and never contacts it", async () => {
    const inviter = { userId: 'carol', connId: newConnId() };
    const createId = newCorrId();
    await stack.send({ type: 'CREATE', corrId: createId, ...inviter });
    const { invitation } = await resultOf(stack, createId, 'INV');
    const fields = JSON.parse(Buffer.from(invitation, 'base64url').toString('utf8'));

    // A malicious joiner does the handshake by the book, but names the trap as its reply relay.
    const dh = generateDhKeyPair();
    const joinerSide = { connId: 'evil', e2eKey: agreeConnectionKey(dh.privateKey, fields.dhKey), dhPrivateKey: dh.privateKey, sndSenderId: fields.senderId } as ConnectionEntity;
    const conf = { t: 'conf' as const, senderKey: senderKeyPair().publicKey, reply: { relay: `http://127.0.0.1:${trap.port}`, senderId: 'B'.repeat(22) }, connInfo: '{"evil":true}' };
    const sent = await relayApi(fields.relay).send(fields.senderId, 'conf-evil', sealEnvelope(joinerSide, 'conf-evil', conf));
    expect(sent.status).toBe(201);
    const confEvent = await eventOn(stack, inviter.userId, inviter.connId, 'CONF');
    expect(confEvent.connInfo).toBe('{"evil":true}');

    const allowId = newCorrId();
    await stack.send({ type: 'ALLOW', corrId: allowId, ...inviter, confirmationId: confEvent.confirmationId, connInfo: '{}' });
    const err = await errOf(stack, allowId);
    expect(err.error).toMatchObject({ code: 'INVALID_INVITATION', permanent: true, message: expect.stringMatching(/reply relay.*internal address/) });
    expect(trap.connections()).toBe(0);
  });
});
