import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
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
    if (!(await this.connections.ackMessage(userId, connId, cmd.agentMsgId))) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
    return [{ type: 'ACKED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
