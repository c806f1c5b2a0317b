import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { connectPair, newConnId, newCorrId, resultOf } from './chat-side';

describe('agent: a relay stopped for 10 s, then started again', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-outage', relays: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes the commands in flight during the outage once the relay is back, and resubscribes its queues', async () => {
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');
    const [relay] = stack.relays;
    await relay.stop();

    const createId = newCorrId();
    const sendId = newCorrId();
    await stack.send({ type: 'CREATE', corrId: createId, userId: 'alice', connId: newConnId() });
    await stack.send({ type: 'SEND', corrId: sendId, ...inviter, msgId: 'm-outage', body: 'sent during the outage' });

    const db = new Client({ connectionString: stack.dbUrl });
    await db.connect();
    try {
      // Both commands are in flight: the agent keeps retrying them.
      await eventually(async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM agent.commands WHERE corr_id = ANY($1) AND attempts > 0 AND status = 'running'`, [
          [createId, sendId],
        ]);
        return rows[0].n === 2;
      }, { what: 'both commands retrying' });
      await sleep(10_000); // the outage itself, not synchronisation
      expect(stack.events.all().some((e) => 'corrId' in e && (e.corrId === createId || e.corrId === sendId))).toBe(false);

      await relay.start();
      await resultOf(stack, createId, 'INV', 30_000);
      await resultOf(stack, sendId, 'SENT', 30_000);
      // bob's receive queue was resubscribed on the new stream: the message arrives.
      await stack.events.waitFor((e) => e.type === 'MSG' && e.connId === joiner.connId && e.body === 'sent during the outage', 'MSG after the outage');

      const { rows } = await db.query(`SELECT attempts FROM agent.commands WHERE corr_id = $1`, [createId]);
      expect(rows[0].attempts).toBeGreaterThan(1);
    } finally {
      await db.end();
    }
    expect(stack.events.of('ERR')).toEqual([]);
  });
});
