import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { ConnectionStore } from '../../persistence/connection-store';
import { InboxMessageEntity } from '../../persistence/inbox-message.entity';
import { resultEventId } from '../../protocol/derived-ids';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandHandler } from '../command-handler';

/** The chat has durably handled a MSG: SUBSCRIBE stops re-emitting it. */
@Injectable()
export class AckHandler implements CommandHandler<'ACK'> {
  readonly type = 'ACK' as const;

  constructor(private readonly connections: ConnectionStore) {}

  async execute(cmd: AgentCommandOf<'ACK'>): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    await this.connections.locked(userId, connId, async (conn, em) => {
      if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
      await em.update(InboxMessageEntity, { userId, connId, msgId: cmd.agentMsgId, kind: 'msg', ackedAt: IsNull() }, { ackedAt: new Date() });
    });
    return [{ type: 'ACKED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
