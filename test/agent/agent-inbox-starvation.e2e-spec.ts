import Redis from 'ioredis';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { eventually } from '../support/eventually';
import { RedisServerProcess, startRedisServer } from '../support/redis-server-process';
import { connectPair, sendAndReceive } from './chat-side';

const DEAD_ROWS = 1_000;

/**
 * InboxRedelivery cannot be starved (issue 10, item 4): 1,000 un-ACKed `msg` inbox rows that never
 * produce an event (what anyone holding an invitation can make) sit in front of a real MSG, then
 * the queue Redis is flushed (the MSG's event job is gone, the relay message behind it already
 * acked). The MSG must still come back. With `ORDER BY id LIMIT 500` it never did.
 */
describe('agent: a MSG lost with the queue Redis is redelivered behind 1,000 dead inbox rows', () => {
  let redis: RedisServerProcess;
  let stack: AgentStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startAgentStack({ label: 'agent-starve', relays: 1, redisUrl: redis.url(0), relayRedisUrl: redis.url(1) });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('redelivers the lost MSG after FLUSHDB although 1,000 older dead rows come first by id', async () => {
    const { inviter, joiner } = await connectPair(stack, 'alice', 'bob');
    const [conn] = await stack.query<{ rcv_relay: string; rcv_recipient_id: string }>(
      `SELECT rcv_relay, rcv_recipient_id FROM agent.connections WHERE user_id = $1 AND conn_id = $2`,
      [joiner.userId, joiner.connId],
    );
    await stack.query(
      `INSERT INTO agent.inbox (relay, recipient_id, msg_id, user_id, conn_id, kind, status, events, created_at)
       SELECT $1, $2, 'dead-' || g, $3, $4, 'msg', 'complete', '[]'::jsonb, now() - interval '1 minute'
         FROM generate_series(1, ${DEAD_ROWS}) g`,
      [conn.rcv_relay, conn.rcv_recipient_id, joiner.userId, joiner.connId],
    );
    const msg = await sendAndReceive(stack, inviter, joiner, 'behind the dead rows');
    await eventually(async () => (await stack.eventsQueue.getJobState(msg.eventId)) === 'completed', { what: 'MSG job completed' });
    const deliveredBefore = stack.events.deliveries(msg.eventId);

    const queues = new Redis(redis.url(0));
    try {
      await queues.flushdb();
    } finally {
      queues.disconnect();
    }
    expect(await stack.eventsQueue.getJobState(msg.eventId)).toBe('unknown');

    await eventually(() => stack.events.deliveries(msg.eventId) > deliveredBefore, { timeoutMs: 60_000, what: `MSG ${msg.eventId} redelivered after the flush` });
    const [dead] = await stack.query<{ n: number }>(`SELECT count(*)::int AS n FROM agent.inbox WHERE msg_id LIKE 'dead-%' AND redelivered_at IS NOT NULL`);
    expect(dead.n).toBeGreaterThan(0); // the dead rows were looked at too: they did not just vanish from the query
  });
});
