import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { RelaySessions } from '../../inbound/relay-sessions';
import { ConnectionEntity } from '../../persistence/connection.entity';
import { ConnectionStore } from '../../persistence/connection-store';
import { outboundMsgId, resultEventId } from '../../protocol/derived-ids';
import { decodeInvitation } from '../../protocol/invitation';
import { generateSigningKeyPair } from '../../protocol/signing-key';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';
import { ReceiveQueueProvisioner } from './receive-queue.provisioner';

/** Joiner: own reply queue, key pair K, `conf` (signed with K) to the inviter's queue → JOINED. */
@Injectable()
export class JoinHandler implements CommandHandler<'JOIN'> {
  readonly type = 'JOIN' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly receiveQueue: ReceiveQueueProvisioner,
    private readonly sessions: RelaySessions,
    private readonly relays: RelayClient,
  ) {}

  async execute(cmd: AgentCommandOf<'JOIN'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const invitation = decodeInvitation(cmd.invitation);
    await this.connections.locked(userId, connId, async (conn, em) => {
      if (!conn) {
        // K is made once and stored: a resumed JOIN sends the same key in the same conf.
        const keys = generateSigningKeyPair();
        await em.insert(ConnectionEntity, {
          userId,
          connId,
          role: 'joiner',
          status: 'pending',
          createdBy: corrId,
          sndRelay: invitation.relay,
          sndSenderId: invitation.senderId,
          ownPublicKey: keys.publicKey,
          ownPrivateKey: keys.privateKey,
        });
        return;
      }
      if (conn.createdBy !== corrId || conn.role !== 'joiner') {
        throw new CommandRefusal('CONN_STATE', `connection ${connId} already exists (made by ${conn.role} command ${conn.createdBy})`);
      }
    });
    const queue = await this.receiveQueue.ensure(cmd, ctx);
    await ctx.step('subscribe');
    await this.sessions.subscribeNew(queue.relay, queue.recipientId);

    const conn = await this.connections.find(userId, connId);
    if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${connId} vanished`);
    if (conn.status === 'pending') {
      await ctx.step('send-conf');
      const conf = { t: 'conf', senderKey: conn.ownPublicKey, reply: { relay: queue.relay, senderId: queue.senderId }, connInfo: cmd.connInfo };
      // Signed with K although the queue is not secured yet: if our first send took effect but its
      // answer was lost, the inviter may have secured the queue with K before this retry.
      await this.relays.send(conn.sndRelay!, conn.sndSenderId!, outboundMsgId('conf', corrId), JSON.stringify(conf), conn.ownPrivateKey!);
      await this.connections.locked(userId, connId, async (locked, em) => {
        // The inviter may already have answered (info processed → connected): never step back.
        if (locked && locked.status === 'pending') {
          locked.status = 'joined';
          await em.save(locked);
        }
      });
    }
    return [{ type: 'JOINED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
