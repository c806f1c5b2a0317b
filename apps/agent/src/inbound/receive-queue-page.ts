import { plannedPerCall } from '@gc/persistence';
import type { DataSource } from 'typeorm';

export const SUBSCRIBE_BATCH = 1_000;

export interface QueuePage {
  ids: string[];
  /** Where the next page starts: after this bucket and id (a full pass). */
  last?: { bucket: number; id: string };
}

/**
 * A page of the live receive queues stored on a relay whose connections changed in the last
 * `changedWithinS`, after `after` in id order (a recent pass). Served by `connections_relay_updated`:
 * it reads the changed rows only, however many are stored. The window is a parameter, not SQL text,
 * so the planner sees its real width — on every call: a generic plan, blind to it, takes the
 * (relay, recipient) index and reads every queue of the relay (the spec's generic plan did).
 */
export const RECENT_QUEUES_SQL = plannedPerCall(`SELECT rcv_recipient_id FROM "agent"."connections"
   WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted' AND rcv_recipient_id > $2
     AND updated_at > now() - $3 * interval '1 second'
   ORDER BY rcv_recipient_id LIMIT ${SUBSCRIBE_BATCH}`);

export async function recentQueuePage(db: DataSource, relay: string, after: string, changedWithinS: number): Promise<string[]> {
  const rows: Array<{ rcv_recipient_id: string }> = await db.query(RECENT_QUEUES_SQL, [relay, after, changedWithinS]);
  return rows.map((r) => r.rcv_recipient_id);
}

/**
 * A page of the live receive queues stored on a relay in owner buckets [from bucket, `lastBucket`],
 * after (`fromBucket`, `after`) in (bucket, id) order (a full pass over the buckets an agent owns):
 * served by `connections_relay_bucket` in that order, so a pass reads this agent's share of the rows
 * once, not every agent's.
 */
export const BUCKET_QUEUES_SQL = `SELECT owner_bucket, rcv_recipient_id FROM "agent"."connections"
   WHERE rcv_relay = $1 AND rcv_recipient_id IS NOT NULL AND status <> 'deleted'
     AND (owner_bucket, rcv_recipient_id) > ($2::smallint, $3::text) AND owner_bucket <= $4::smallint
   ORDER BY owner_bucket, rcv_recipient_id LIMIT ${SUBSCRIBE_BATCH}`;

export async function bucketQueuePage(db: DataSource, relay: string, fromBucket: number, after: string, lastBucket: number): Promise<QueuePage> {
  const rows: Array<{ owner_bucket: number; rcv_recipient_id: string }> = await db.query(BUCKET_QUEUES_SQL, [relay, fromBucket, after, lastBucket]);
  const end = rows[rows.length - 1];
  return { ids: rows.map((r) => r.rcv_recipient_id), last: end && { bucket: Number(end.owner_bucket), id: end.rcv_recipient_id } };
}
