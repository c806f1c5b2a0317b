import { AgentCommandOf, AgentEvent, AgentEventOf, ConnectionStatus } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull } from 'typeorm';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { InboxMessageEntity } from '../../persistence/inbox-message.entity';
import { resultEventId } from '../../protocol/derived-ids';
import { CommandHandler } from '../command-handler';

/**
 * One STATUS per connId, carrying what the chat needs to run a continuation it may have missed,
 * and MSG again for every message the chat has not ACKed yet.
 */
@Injectable()
export class SubscribeHandler implements CommandHandler<'SUBSCRIBE'> {
  readonly type = 'SUBSCRIBE' as const;

  constructor(private readonly dataSource: DataSource) {}

  async execute(cmd: AgentCommandOf<'SUBSCRIBE'>): Promise<AgentEvent[]> {
    const { userId, corrId } = cmd;
    const connIds = [...new Set(cmd.connIds)];
    const conns = await this.dataSource.getRepository(ConnectionEntity).findBy({ userId, connId: In(connIds) });
    const byId = new Map(conns.map((c) => [c.connId, c]));
    const events: AgentEvent[] = connIds.map((connId, i) => this.status(byId.get(connId), { userId, corrId, connId, i }));
    const unacked = await this.dataSource.getRepository(InboxMessageEntity).find({
      where: { userId, connId: In(connIds), kind: 'msg', status: 'complete', ackedAt: IsNull() },
      order: { id: 'ASC' },
    });
    unacked.forEach((row, i) => {
      const msg = row.events.find((e): e is AgentEventOf<'MSG'> => e.type === 'MSG');
      if (msg) events.push({ ...msg, eventId: resultEventId(corrId, `m${i}`) });
    });
    return events;
  }

  private status(
    conn: ConnectionEntity | undefined,
    ids: { userId: string; corrId: string; connId: string; i: number },
  ): AgentEventOf<'STATUS'> {
    const base = { type: 'STATUS' as const, eventId: resultEventId(ids.corrId, ids.i), corrId: ids.corrId, userId: ids.userId, connId: ids.connId };
    // `pending` (CREATE/JOIN still running) has no contract status: the chat's command is pending too.
    if (!conn || conn.status === 'pending') return { ...base, status: 'unknown' };
    const event: AgentEventOf<'STATUS'> = { ...base, status: conn.status as ConnectionStatus };
    if (conn.role === 'inviter' && conn.invitation && conn.status !== 'deleted') event.invitation = conn.invitation;
    if (conn.status === 'confirmed' && conn.confirmationId) {
      event.confirmation = { confirmationId: conn.confirmationId, connInfo: conn.peerConnInfo ?? '' };
    }
    if (conn.role === 'joiner' && conn.status === 'connected' && conn.peerConnInfo !== null) event.peerConnInfo = conn.peerConnInfo;
    return event;
  }
}
