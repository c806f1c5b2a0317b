import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
import { resultEventId } from '../../protocol/derived-ids';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';

/** Deletes our receive queue (already gone counts as done) and marks the connection deleted. */
@Injectable()
export class DeleteHandler implements CommandHandler<'DELETE'> {
  readonly type = 'DELETE' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly relays: RelayClient,
  ) {}

  async execute(cmd: AgentCommandOf<'DELETE'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const conn = await this.connections.find(userId, connId);
    if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
    if (conn.rcvRelay && conn.rcvRecipientId) {
      ctx.step('delete-queue');
      await this.relays.deleteQueue(conn.rcvRelay, conn.rcvRecipientId);
    }
    await this.connections.markDeleted(userId, connId);
    return [{ type: 'DELETED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
