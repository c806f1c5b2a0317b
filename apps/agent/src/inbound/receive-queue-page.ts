import type { DataSource } from 'typeorm';

export const SUBSCRIBE_BATCH = 1_000;

/**
 * One page of the live receive queues stored on a relay, after `after` in id order: all of them (a
 * full pass, served by `connections_receive_queue`), or, with `changedWithinS`, those of connections
 * changed that recently (a recent pass, served by `connections_relay_updated`: it reads the changed
 * rows only, however many are stored). The window is a parameter, not SQL text, so the planner sees
 * its real width (a narrow window: the updated_at index; a wide one may rightly prefer the other).
 */
export function receiveQueuePageSql(recent: boolean): string {
  return `SELECT rcv_recipient_id FROM "agent"."connections"
     WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted' AND rcv_recipient_id > $2
       ${recent ? `AND updated_at > now() - $3 * interval '1 second'` : ''}
     ORDER BY rcv_recipient_id LIMIT ${SUBSCRIBE_BATCH}`;
}

export function receiveQueuePageParams(relay: string, after: string, changedWithinS: number | null): unknown[] {
  return changedWithinS === null ? [relay, after] : [relay, after, changedWithinS];
}

export async function receiveQueuePage(db: DataSource, relay: string, after: string, changedWithinS: number | null): Promise<string[]> {
  const rows: Array<{ rcv_recipient_id: string }> = await db.query(receiveQueuePageSql(changedWithinS !== null), receiveQueuePageParams(relay, after, changedWithinS));
  return rows.map((r) => r.rcv_recipient_id);
}
