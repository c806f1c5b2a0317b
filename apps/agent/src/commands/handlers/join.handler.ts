import { AgentCommandOf, AgentEvent } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
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
    private readonly relays: RelayClient,
  ) {}

  async execute(cmd: AgentCommandOf<'JOIN'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const invitation = decodeInvitation(cmd.invitation);
    // K is made once and stored with the row: a resumed JOIN finds it and sends the same key in the same conf.
    const keys = generateSigningKeyPair();
    const existing = await this.connections.insertOrFind({
      userId,
      connId,
      role: 'joiner',
      createdBy: corrId,
      sndRelay: invitation.relay,
      sndSenderId: invitation.senderId,
      ownPublicKey: keys.publicKey,
      ownPrivateKey: keys.privateKey,
    });
    if (existing.createdBy !== corrId || existing.role !== 'joiner') {
      throw new CommandRefusal('CONN_STATE', `connection ${connId} already exists (made by ${existing.role} command ${existing.createdBy})`);
    }
    const provisioned = await this.receiveQueue.ensure(cmd, existing, ctx);
    const { queue } = provisioned;

    // A resumed run reads the row again: the inviter may have answered a conf sent by an earlier run.
    const conn = provisioned.createdNow ? provisioned.conn : await this.connections.find(userId, connId);
    if (!conn) throw new CommandRefusal('CONN_NOT_FOUND', `connection ${connId} vanished`);
    if (conn.status === 'pending') {
      ctx.step('send-conf');
      const conf = { t: 'conf', senderKey: conn.ownPublicKey, reply: { relay: queue.relay, senderId: queue.senderId }, connInfo: cmd.connInfo };
      // Signed with K although the queue is not secured yet: if our first send took effect but its
      // answer was lost, the inviter may have secured the queue with K before this retry.
      await this.relays.send(conn.sndRelay!, conn.sndSenderId!, outboundMsgId('conf', corrId), JSON.stringify(conf), conn.ownPrivateKey!);
      // The inviter may already have answered (info processed → connected): never step back.
      await this.connections.advance(userId, connId, 'pending', 'joined');
    }
    return [{ type: 'JOINED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
