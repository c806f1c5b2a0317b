import { Client } from 'pg';
import { INBOUND_MAX_BUFFERED } from '../../apps/agent/src/inbound/inbound-processor';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { metricValue } from '../support/queue-subscriptions';
import { connectPair, newCorrId } from './chat-side';

const MESSAGES = 600;

/**
 * Backpressure on inbound relay messages (issue 10, item 4): the receiving connection's row is held
 * locked by the test, so the agent cannot process any message of that queue, while 600 messages
 * are sent to it. The relay pushes them all; the agent must hold at most INBOUND_MAX_BUFFERED of
 * them and leave the rest unread in the stream — and, once the lock is gone, process every one.
 */
describe('agent: a backlog pushed by the relay is read through a bounded buffer', () => {
  let stack: AgentStack;
  let blocker: Client | undefined;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-backpressure', relays: 1 });
  });
  afterAll(async () => {
    await blocker?.end().catch(() => undefined);
    await stack?.stop();
  });

  it(`holds at most ${INBOUND_MAX_BUFFERED} received messages while it cannot process them, then delivers all ${MESSAGES}`, async () => {
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');
    const agentUrl = stack.agents[0].url;
    blocker = new Client({ connectionString: stack.dbUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM agent.connections WHERE user_id = $1 AND conn_id = $2 FOR UPDATE`, [joiner.userId, joiner.connId]);

    const sends = Array.from({ length: MESSAGES }, (_, i) => ({ corrId: newCorrId(), body: `backlog ${i}` }));
    for (const s of sends) await stack.send({ type: 'SEND', corrId: s.corrId, ...inviter, msgId: newCorrId(), body: s.body });
    const sent = new Set(sends.map((s) => s.corrId));
    await eventually(() => stack.events.of('SENT').filter((e) => sent.has(e.corrId)).length === MESSAGES, {
      timeoutMs: 90_000,
      what: `${MESSAGES} SENT`,
    });
    // The buffer fills (the relay pushed more than it holds) and stays at its bound.
    await eventually(async () => (await metricValue(agentUrl, 'gc_agent_inbound_buffered')) >= INBOUND_MAX_BUFFERED, {
      timeoutMs: 30_000,
      what: 'the inbound buffer full',
    });
    expect(await metricValue(agentUrl, 'gc_agent_inbound_buffered_peak')).toBeLessThanOrEqual(INBOUND_MAX_BUFFERED);

    await blocker.query('ROLLBACK');
    const bodies = new Set(sends.map((s) => s.body));
    await eventually(() => new Set(stack.events.of('MSG').filter((e) => e.connId === joiner.connId && bodies.has(e.body)).map((e) => e.body)).size === MESSAGES, {
      timeoutMs: 120_000,
      what: `all ${MESSAGES} MSG at the joiner`,
    });
    expect(await metricValue(agentUrl, 'gc_agent_inbound_buffered_peak')).toBeLessThanOrEqual(INBOUND_MAX_BUFFERED);
  });
});
