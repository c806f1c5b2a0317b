import { AgentEventOf } from '@gc/contracts';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '@gc/persistence';
import { EventPublisher } from '../events/event-publisher';
import { AgentMembership } from './agent-membership';

/** How often, and after how long without the chat's ACK, a MSG event is added again. */
export const INBOX_REDELIVERY_INTERVAL_MS = 10_000;
export const INBOX_REDELIVERY_AFTER_MS = 10_000;
const BATCH = 500;

/**
 * A MSG event lives only in Redis until the chat ACKs it, and the relay message behind it is
 * already acked to the relay. If the queue Redis loses the event (FLUSHDB, a restart without
 * persistence), nobody would ask for it again: the chat does not know the message exists, so it has
 * no reason to SUBSCRIBE. So the agent re-adds, with its original eventId, every MSG the chat has
 * not ACKed for a while. While the first job is still stored BullMQ ignores the add (same job id);
 * when it is gone the chat gets it again and drops a duplicate by agentMsgId.
 *
 * It runs on the leader agent only (AgentMembership), not once per agent. Each pass takes the rows
 * it re-added least recently first and stamps them: rows of MSGs the chat never ACKs (anyone with
 * an invitation can send such messages) go to the back, so they cannot fill the window and starve
 * a MSG lost with the queue Redis (it used to be `ORDER BY id LIMIT 500`: 500 dead rows, for good).
 */
@Injectable()
export class InboxRedelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(InboxRedelivery.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventPublisher,
    private readonly membership: AgentMembership,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running && this.membership.isLeader()) this.running = this.redeliverUnacked().then(() => undefined).finally(() => (this.running = undefined));
    }, INBOX_REDELIVERY_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Re-adds the MSG events of un-ACKed inbox rows older than INBOX_REDELIVERY_AFTER_MS; returns how many. */
  async redeliverUnacked(): Promise<number> {
    try {
      // Stamped before the add: a row whose add fails waits a turn, it never blocks the others.
      const rows = await sqlRows<{ events: AgentEventOf<'MSG'>[] }>(
        this.dataSource,
        `UPDATE "agent"."inbox" SET redelivered_at = now()
          WHERE id IN (
            SELECT id FROM "agent"."inbox"
             WHERE kind = 'msg' AND status = 'complete' AND acked_at IS NULL
               AND coalesce(redelivered_at, created_at) < now() - make_interval(secs => $1)
             ORDER BY coalesce(redelivered_at, created_at) LIMIT ${BATCH}
             FOR UPDATE SKIP LOCKED)
          RETURNING events`,
        [INBOX_REDELIVERY_AFTER_MS / 1000],
      );
      const msgs = rows.flatMap((row) => row.events.filter((e): e is AgentEventOf<'MSG'> => e.type === 'MSG'));
      await this.events.publish(msgs);
      if (msgs.length) this.log.debug(`re-added ${msgs.length} un-ACKed MSG event(s)`);
      return msgs.length;
    } catch (err) {
      // Postgres or Redis away: the next tick tries again.
      this.log.warn(`inbox redelivery failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
