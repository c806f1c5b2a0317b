import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionStore } from '../../persistence/connection-store';
import { outboundMsgId, resultEventId } from '../../protocol/derived-ids';
import { PeerChannel } from '../../protocol/peer-channel';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';

/** A sealed, signed `msg` to the peer's queue; its relay msgId comes from corrId, so a retry is stored once. */
@Injectable()
export class SendHandler implements CommandHandler<'SEND'> {
  readonly type = 'SEND' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly channel: PeerChannel,
  ) {}

  async execute(cmd: AgentCommandOf<'SEND'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const conn = await this.connections.find(userId, connId);
    if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `no connection ${connId}`);
    if (conn.status !== 'connected') {
      throw new CommandRefusal('CONN_STATE', `connection ${connId} is ${conn.status}; SEND needs it connected`);
    }
    ctx.step('send');
    await this.channel.send(conn, outboundMsgId('msg', corrId), { t: 'msg', msgId: cmd.msgId, body: cmd.body });
    return [{ type: 'SENT', eventId: resultEventId(corrId), corrId, userId, connId, msgId: cmd.msgId }];
  }
}
