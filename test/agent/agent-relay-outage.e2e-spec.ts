import { setTimeout as sleep } from 'node:timers/promises';
import { connHash } from '../../apps/agent/src/protocol/derived-ids';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { connectPair, newConnId, newCorrId, resultOf, sendAndReceive } from './chat-side';

/** A connId whose first queue the agent puts on relay `index` of `n` (relay = hash(connId) + attempt). */
function connIdOnRelay(index: number, n: number): string {
  for (;;) {
    const id = newConnId();
    if (connHash(id) % n === index) return id;
  }
}

describe('agent: one of two relays stopped for 10 s, then started again', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await startAgentStack({ label: 'agent-outage', relays: 2 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stalls only the connections on the stopped relay, and completes their commands once it is back', async () => {
    const [down, up] = stack.relays;
    const onDown = await connectPair(stack, 'alice', 'bob', 30_000, { inviter: connIdOnRelay(0, 2), joiner: connIdOnRelay(0, 2) });
    const onUp = await connectPair(stack, 'carol', 'dave', 30_000, { inviter: connIdOnRelay(1, 2), joiner: connIdOnRelay(1, 2) });
    const queues = await stack.query(`SELECT conn_id, rcv_relay FROM agent.connections`);
    for (const q of queues) {
      const expected = [onDown.inviter.connId, onDown.joiner.connId].includes(q.conn_id) ? down.url : up.url;
      expect(q.rcv_relay).toBe(expected);
    }
    await down.stop();
    const outageStart = Date.now();

    // In flight on the stopped relay: a message to bob's queue there.
    const stuckSend = newCorrId();
    await stack.send({ type: 'SEND', corrId: stuckSend, ...onDown.inviter, msgId: 'm-outage', body: 'sent during the outage' });
    // A new connection whose first pick is the stopped relay: its retry picks the other one.
    const create = { type: 'CREATE' as const, corrId: newCorrId(), userId: 'erin', connId: connIdOnRelay(0, 2) };
    await stack.send(create);

    // The other relay's connection keeps working during the outage.
    await sendAndReceive(stack, onUp.inviter, onUp.joiner, 'unaffected');
    await resultOf(stack, create.corrId, 'INV');
    const [created] = await stack.query(`SELECT rcv_relay FROM agent.connections WHERE conn_id = $1`, [create.connId]);
    expect(created.rcv_relay).toBe(up.url);

    await eventually(async () => {
      const [row] = await stack.query(`SELECT attempts, status FROM agent.commands WHERE corr_id = $1`, [stuckSend]);
      return row?.status === 'running' && row.attempts > 1;
    }, { what: 'SEND retrying against the stopped relay' });
    await sleep(Math.max(0, 10_000 - (Date.now() - outageStart))); // the outage itself, not synchronisation
    expect(stack.events.all().some((e) => 'corrId' in e && e.corrId === stuckSend)).toBe(false);

    await down.start();
    await resultOf(stack, stuckSend, 'SENT', 30_000);
    // bob's queue was resubscribed on the new stream: the message arrives.
    await stack.events.waitFor(
      (e) => e.type === 'MSG' && e.connId === onDown.joiner.connId && e.body === 'sent during the outage',
      'MSG after the outage',
    );
    await sendAndReceive(stack, onDown.joiner, onDown.inviter, 'after the outage');
    expect(stack.events.of('ERR')).toEqual([]);
  });
});
