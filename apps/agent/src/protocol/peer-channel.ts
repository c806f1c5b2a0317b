import { Injectable } from '@nestjs/common';
import { ConnectionEntity } from '../persistence/connection.entity';
import { RelayClient } from '../relay/relay-client';
import { Envelope } from './envelope';
import { sealEnvelope } from './sealed-envelope';

/**
 * Sends an envelope to the peer of a connection: sealed end to end, then signed with our sender key
 * (the peer's relay queue is secured with it). Signed even before the peer secured its queue: a
 * retry after a lost answer may find it secured already (the relay ignores signatures on open queues).
 */
@Injectable()
export class PeerChannel {
  constructor(private readonly relays: RelayClient) {}

  async send(conn: ConnectionEntity, msgId: string, envelope: Envelope): Promise<void> {
    await this.relays.send(conn.sndRelay!, conn.sndSenderId!, msgId, sealEnvelope(conn, msgId, envelope), conn.ownPrivateKey!);
  }
}
