import Redis from 'ioredis';
import { Client } from 'pg';
import type { ChatStack } from './chat-stack';

/** A connection with a departed member that the agent or a relay still holds. */
export interface HeldConnection {
  userId: string;
  connId: string;
  agentStatus: string;
  /** The connection's receive queue still exists on its relay. */
  queueOnRelay: boolean;
}

/**
 * Every connection of group `groupId` with one of the departed members (on anyone's side) or of a
 * departed user (its own copy of the group), as the agent (schema `agent`) and the relays (their
 * Redis storage) see it — not the chat's rows: the ones still held, i.e. not `deleted` in the agent
 * or whose receive queue is still on its relay. Also returns how many connections were checked.
 */
export async function connectionsHeldWithDeparted(
  stack: ChatStack,
  groupId: string,
  departed: Array<{ userId: string; memberId: string }>,
): Promise<{ checked: number; held: HeldConnection[] }> {
  const db = new Client({ connectionString: stack.db.url });
  const redis = new Redis(stack.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await db.connect();
  try {
    const chatRows = await db.query<{ id: string; user_id: string }>(
      `SELECT id, user_id FROM chat.connections WHERE group_id = $1 AND (member_id = ANY($2::uuid[]) OR user_id = ANY($3::uuid[]))`,
      [groupId, departed.map((d) => d.memberId), departed.map((d) => d.userId)],
    );
    const agentRows = await db.query<{ conn_id: string; user_id: string; status: string; rcv_relay: string | null; rcv_recipient_id: string | null }>(
      `SELECT conn_id, user_id, status, rcv_relay, rcv_recipient_id FROM agent.connections WHERE conn_id = ANY($1)`,
      [chatRows.rows.map((r) => r.id)],
    );
    const relayNames = new Map(stack.relays.map((r) => [r.url.replace(/\/$/, ''), r.name]));
    const held: HeldConnection[] = [];
    for (const a of agentRows.rows) {
      const relay = a.rcv_relay ? relayNames.get(a.rcv_relay.replace(/\/$/, '')) : undefined;
      if (a.rcv_relay && !relay) throw new Error(`connection ${a.conn_id} receives on an unknown relay ${a.rcv_relay}`);
      const queueOnRelay = !!relay && !!a.rcv_recipient_id && (await redis.exists(`relay:${relay}:q:${a.rcv_recipient_id}`)) === 1;
      if (a.status !== 'deleted' || queueOnRelay) held.push({ userId: a.user_id, connId: a.conn_id, agentStatus: a.status, queueOnRelay });
    }
    return { checked: chatRows.rows.length, held };
  } finally {
    await db.end();
    redis.disconnect();
  }
}
