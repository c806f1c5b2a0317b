import { AgentCommandOf, AgentEvent, validateInvitation } from '@gc/contracts';
import { Injectable } from '@nestjs/common';
import { agreeConnectionKey, generateDhKeyPair } from '../../crypto/key-agreement';
import { ConnectionStore } from '../../persistence/connection-store';
import { outboundMsgId, resultEventId } from '../../protocol/derived-ids';
import { PeerChannel } from '../../protocol/peer-channel';
import { generateSigningKeyPair } from '../../protocol/signing-key';
import { RelayClient } from '../../relay/relay-client';
import { CommandRefusal } from '../../retry/command-refusal';
import { CommandContext, CommandHandler } from '../command-handler';
import { ReceiveQueueProvisioner } from './receive-queue.provisioner';

/**
 * Joiner: the invitation checked before any IO (a refused one is a permanent ERR with the reason and
 * is never fetched), own reply queue, key pair K, the end-to-end key agreed with the inviter's
 * X25519 key, `conf` (sealed, carrying our X25519 key; signed with K) to the inviter's queue → JOINED.
 */
@Injectable()
export class JoinHandler implements CommandHandler<'JOIN'> {
  readonly type = 'JOIN' as const;

  constructor(
    private readonly connections: ConnectionStore,
    private readonly receiveQueue: ReceiveQueueProvisioner,
    private readonly relays: RelayClient,
    private readonly channel: PeerChannel,
  ) {}

  async execute(cmd: AgentCommandOf<'JOIN'>, ctx: CommandContext): Promise<AgentEvent[]> {
    const { userId, connId, corrId } = cmd;
    const check = validateInvitation(cmd.invitation, this.relays.relays);
    if (!check.ok) throw new CommandRefusal('INVALID_INVITATION', check.reason);
    const invitation = check.invitation;
    const dh = generateDhKeyPair();
    const e2eKey = agreeConnectionKey(dh.privateKey, invitation.dhKey);
    if (!e2eKey) throw new CommandRefusal('INVALID_INVITATION', 'invitation dhKey is not an X25519 public key');
    // The keys are made once and stored with the row: a resumed JOIN finds them and sends the same K in the same conf.
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
      recipientPrivateKey: generateSigningKeyPair().privateKey,
      dhPrivateKey: dh.privateKey,
      e2eKey,
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
      const reply = { relay: queue.relay, senderId: queue.senderId };
      await this.channel.send(conn, outboundMsgId('conf', corrId), { t: 'conf', senderKey: conn.ownPublicKey!, reply, connInfo: cmd.connInfo });
      // The inviter may already have answered (info processed → connected): never step back.
      await this.connections.advance(userId, connId, 'pending', 'joined');
    }
    return [{ type: 'JOINED', eventId: resultEventId(corrId), corrId, userId, connId }];
  }
}
