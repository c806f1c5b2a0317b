import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { ConnectionStore } from '../../persistence/connection-store';
import { resultEventId } from '../../protocol/derived-ids';
import { encodeInvitation } from '../../protocol/invitation';
import { RelaySessions } from '../../inbound/relay-sessions';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';
import { ReceiveQueueProvisioner } from './receive-queue.provisioner';

/** Inviter: create our receive queue, subscribe it, answer INV with the invitation. */
@Injectable()
export class CreateHandler implements CommandHandler<'CREATE'> {
  readonly type = 'CREATE' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly receiveQueue: ReceiveQueueProvisioner,
    private readonly sessions: RelaySessions,
  ) {}

  async execute(cmd: AgentCommandOf<'CREATE'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    await this.connections.locked(userId, connId, async (conn, em) => {
      if (!conn) {
        await em.insert(ConnectionEntity, { userId, connId, role: 'inviter', status: 'pending', createdBy: corrId });
        return;
      }
      if (conn.createdBy !== corrId || conn.role !== 'inviter') {
        throw new CommandRefusal('CONN_STATE', `connection ${connId} already exists (made by ${conn.role} command ${conn.createdBy})`);
      }
    });
    const queue = await this.receiveQueue.ensure(cmd, ctx);
    await ctx.step('subscribe');
    await this.sessions.subscribeNew(queue.relay, queue.recipientId);
    const invitation = await this.connections.locked(userId, connId, async (conn, em) => {
      if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${connId} vanished`);
      if (!conn.invitation) {
        conn.invitation = encodeInvitation({ v: 1, relay: queue.relay, senderId: queue.senderId });
        if (conn.status === 'pending') conn.status = 'invited';
        await em.save(conn);
      }
      return conn.invitation;
    });
    return [{ type: 'INV', eventId: resultEventId(corrId), corrId, userId, connId, invitation }];
  }
}
