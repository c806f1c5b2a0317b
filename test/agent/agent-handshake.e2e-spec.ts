import { AgentEventOf } from '@gc/contracts';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { connectPair, eventOn, newCorrId, resultOf, sendAndReceive } from './chat-side';

describe('agent: the duplex handshake through the queue contract', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-handshake', relays: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('connects two users (CREATE → INV → JOIN → CONF → ALLOW → CON on both), then carries messages both ways and ACKs them', async () => {
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');

    const toBob = await sendAndReceive(stack, inviter, joiner, 'hello bob');
    const toAlice = await sendAndReceive(stack, joiner, inviter, 'hello alice');
    expect(toBob.body).toBe('hello bob');
    expect(toAlice.body).toBe('hello alice');

    // The chat ACKs the MSG: afterwards SUBSCRIBE no longer re-emits it.
    const ackId = newCorrId();
    await stack.send({ type: 'ACK', corrId: ackId, ...joiner, agentMsgId: toBob.agentMsgId });
    await resultOf(stack, ackId, 'ACKED');

    const subId = newCorrId();
    await stack.send({ type: 'SUBSCRIBE', corrId: subId, userId: inviter.userId, connIds: [inviter.connId, 'no-such-conn'] });
    const statuses = await stack.events.waitFor<AgentEventOf<'STATUS'>>(
      (e) => e.type === 'STATUS' && e.corrId === subId && e.connId === 'no-such-conn',
      'STATUS of the unknown connection',
    );
    expect(statuses.status).toBe('unknown');
    const own = stack.events.of('STATUS').find((e) => e.corrId === subId && e.connId === inviter.connId);
    expect(own).toMatchObject({ status: 'connected', invitation: expect.any(String) });
    // alice never ACKed "hello alice": SUBSCRIBE re-emits it (MSG has no corrId; its eventId derives from the SUBSCRIBE's).
    await stack.events.waitFor((e) => e.type === 'MSG' && e.eventId.startsWith(`r-${subId}`) && e.body === 'hello alice', 're-emitted MSG');

    const subBob = newCorrId();
    await stack.send({ type: 'SUBSCRIBE', corrId: subBob, userId: joiner.userId, connIds: [joiner.connId] });
    const bobStatus = await stack.events.waitFor<AgentEventOf<'STATUS'>>((e) => e.type === 'STATUS' && e.corrId === subBob, 'STATUS bob');
    expect(bobStatus).toMatchObject({ status: 'connected', peerConnInfo: expect.stringContaining('alice') });
    // bob ACKed "hello bob": the SUBSCRIBE's complete result (the job's return value) re-emits nothing.
    const subJob = await eventually(async () =>
      (await stack.commandsQueue.getJobState(subBob)) === 'completed' ? stack.commandsQueue.getJob(subBob) : undefined,
    );
    expect((subJob!.returnvalue as AgentEventOf<'STATUS'>[]).map((e) => e.type)).toEqual(['STATUS']);

    // Polled: on a loaded machine one probe of the relay may exceed the agent's 1 s relay timeout.
    const health = await eventually(async () => {
      const res = await fetch(`${stack.agents[0].url}/health`);
      const body = (await res.json()) as { info?: { relays?: { relays?: Array<{ reachable?: boolean }> } } };
      if (res.status !== 200 || !body.info?.relays?.relays?.[0]?.reachable) throw new Error(`health ${res.status} ${JSON.stringify(body)}`);
      return body;
    }, { what: 'agent healthy with its relay reachable' });
    expect(health).toMatchObject({
      info: { postgres: { status: 'up' }, redis: { status: 'up' }, relays: { relays: [{ url: stack.relays[0].url, reachable: true }] } },
    });

    // The inviter's side saw every step.
    await eventOn(stack, inviter.userId, inviter.connId, 'CON');
    expect(stack.events.of('ERR')).toEqual([]);
  });
});
