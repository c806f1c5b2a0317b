import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { connectPair, newCorrId, resultOf, sendAndReceive } from './chat-side';

describe('agent: a MSG event lost from agent-events is added again until the chat ACKs it', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-redeliver', relays: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('re-adds the un-ACKed MSG with its original eventId after its job is gone, and stops needing to once ACKed', async () => {
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');
    const msg = await sendAndReceive(stack, inviter, joiner, 'survives a lost event');
    expect(stack.events.deliveries(msg.eventId)).toBe(1);

    // What a FLUSHDB of the queue Redis does to this one event: its job is gone, the relay message
    // behind it was already acked to the relay, and the chat never saw it.
    await eventually(async () => (await stack.eventsQueue.getJobState(msg.eventId)) === 'completed', { what: 'MSG job completed' });
    await (await stack.eventsQueue.getJob(msg.eventId))!.remove();

    await eventually(() => stack.events.deliveries(msg.eventId) >= 2, {
      timeoutMs: 60_000,
      what: `MSG ${msg.eventId} delivered again`,
    });

    const ackId = newCorrId();
    await stack.send({ type: 'ACK', corrId: ackId, ...joiner, agentMsgId: msg.agentMsgId });
    await resultOf(stack, ackId, 'ACKED');
    const [row] = await stack.query<{ acked: boolean }>(
      `SELECT acked_at IS NOT NULL AS acked FROM agent.inbox WHERE msg_id = $1 AND kind = 'msg'`,
      [msg.agentMsgId],
    );
    expect(row).toEqual({ acked: true });
  });
});
