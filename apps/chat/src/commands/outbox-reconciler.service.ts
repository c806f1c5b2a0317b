import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AGENT_EVENTS_QUEUE, type AgentCommand } from '@gc/contracts';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CHAT_CONFIG, ChatConfig } from '../config/chat-config';
import { ORDERED_SQL } from './command-order';
import { CommandPublisher } from './command-publisher';
import { ResubscribeBackoff } from './resubscribe-backoff';
import { resultEventId } from './result-event-id';

/** Connections per SUBSCRIBE, and the most re-subscribed in one tick. */
const SUBSCRIBE_BATCH = 1_000;

/**
 * The outbox's safety net. Re-publishes the head pending command of each connection (and each
 * pending ACK, which is outside the per-connection order) whose job is missing, failed or completed
 * with no result event waiting, and stale (crash between commit and publish; Redis emptied; an
 * event lost). Also asks the agent for the STATUS of connections waiting on their peer, so a lost
 * CONF/INFO/CON is recovered (seed Proposal 1).
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(OutboxReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly backoff: ResubscribeBackoff;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: CommandPublisher,
    @InjectQueue(AGENT_EVENTS_QUEUE) private readonly events: Queue,
  ) {
    this.backoff = new ResubscribeBackoff(config.RECONCILE_STALE_MS);
  }

  onApplicationBootstrap(): void {
    this.running = this.tick(true);
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick(false);
    }, this.config.RECONCILE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(atStart: boolean): Promise<void> {
    try {
      await this.republishStaleHeads();
      if (atStart) await this.subscribeUnfinished();
      else await this.resubscribeWaiting();
    } catch (err) {
      this.log.warn(`reconcile failed: ${(err as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  async republishStaleHeads(): Promise<number> {
    const heads: { id: string; corr_id: string; command: AgentCommand }[] = await this.db.query(
      `(SELECT DISTINCT ON (conn_id) id, corr_id, command FROM commands WHERE status = 'pending' AND ${ORDERED_SQL} ORDER BY conn_id, id)
       UNION ALL (SELECT id, corr_id, command FROM commands WHERE status = 'pending' AND NOT (${ORDERED_SQL}))`,
    );
    const staleBefore = Date.now() - this.config.RECONCILE_STALE_MS;
    let republished = 0;
    for (const head of heads) {
      const queue = this.publisher.commandsQueue;
      const job = await queue.getJob(head.corr_id);
      const state = job ? await job.getState() : 'missing';
      if (!['missing', 'completed', 'failed', 'unknown'].includes(state)) continue;
      const [{ stale }] = await this.db.query(`SELECT updated_at < to_timestamp($2 / 1000.0) AS stale FROM commands WHERE id = $1`, [head.id, staleBefore]);
      if (!stale) continue;
      if (state === 'completed' && (await this.resultAwaitsChat(head.corr_id))) continue;
      if (job) await job.remove().catch(() => undefined);
      await this.publisher.publish(head.command);
      await this.db.query(`UPDATE commands SET attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'pending'`, [head.id]);
      this.log.log({ corrId: head.corr_id, jobState: state }, 'stale command re-published');
      republished++;
    }
    if (republished) this.log.log(`re-published ${republished} stale command(s)`);
    return republished;
  }

  /**
   * A completed job whose result event still waits in agent-events is not lost: the chat is only
   * behind, and re-publishing it would make the agent answer again and feed the backlog.
   */
  private async resultAwaitsChat(corrId: string): Promise<boolean> {
    const event = await this.events.getJob(resultEventId(corrId));
    return event !== undefined && ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(await event.getState());
  }

  /** At start: every connection not yet final (whatever happened while the chat was down). */
  async subscribeUnfinished(): Promise<void> {
    const rows: { user_id: string; conn_ids: string[] }[] = await this.db.query(
      `SELECT user_id, array_agg(id) AS conn_ids FROM connections WHERE stage NOT IN ('connected', 'failed') GROUP BY user_id`,
    );
    for (const row of rows) await this.subscribe(row.user_id, row.conn_ids);
  }

  /**
   * Later: only connections waiting on an event of their peer, with no command of ours pending on
   * them and unchanged for RECONCILE_STALE_MS, each at backed-off intervals (ResubscribeBackoff), so
   * a lost CONF/INFO/CON/MSG is recovered without SUBSCRIBE-ing every connection every interval.
   * Waiting: a stage not final; a joiner without the peer's info; a connected connection of a user
   * whose member or introduction is unfinished (an x.grp.* message may be what was lost).
   */
  async resubscribeWaiting(): Promise<number> {
    const rows: { id: string; user_id: string; changed_at: number }[] = await this.db.query(
      `WITH unfinished AS (
         SELECT user_id FROM members WHERE status NOT IN ('connected', 'failed') AND updated_at < now() - $1 * interval '1 millisecond'
         UNION SELECT user_id FROM introductions WHERE status <> 'connected' AND updated_at < now() - $1 * interval '1 millisecond')
       SELECT c.id, c.user_id, (extract(epoch FROM c.updated_at) * 1000)::float8 AS changed_at FROM connections c
        WHERE c.stage <> 'failed' AND c.updated_at < now() - $1 * interval '1 millisecond'
          AND (c.stage <> 'connected' OR (c.role = 'joiner' AND c.peer_info IS NULL) OR c.user_id IN (SELECT user_id FROM unfinished))
          AND NOT EXISTS (SELECT 1 FROM commands k WHERE k.conn_id = c.id AND k.status = 'pending')
        ORDER BY c.updated_at`,
      [this.config.RECONCILE_STALE_MS],
    );
    const due = new Set(this.backoff.due(rows.map((r) => ({ connId: r.id, changedAt: Number(r.changed_at) })), Date.now(), SUBSCRIBE_BATCH));
    const byUser = new Map<string, string[]>();
    for (const row of rows) if (due.has(row.id)) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.id]);
    for (const [userId, connIds] of byUser) await this.subscribe(userId, connIds);
    if (due.size) this.log.log(`re-subscribed ${due.size} waiting connection(s)`);
    return due.size;
  }

  private async subscribe(userId: string, connIds: string[]): Promise<void> {
    for (let i = 0; i < connIds.length; i += SUBSCRIBE_BATCH) {
      await this.publisher.publish({ type: 'SUBSCRIBE', corrId: randomUUID(), userId, connIds: connIds.slice(i, i + SUBSCRIBE_BATCH) });
    }
  }
}
