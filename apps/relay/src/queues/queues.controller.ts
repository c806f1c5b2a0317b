import { Body, Controller, Delete, Headers, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { RelayHttpError, badRequest, notFound } from '../http/relay-http-error';
import { parseRequest } from '../http/parse-request';
import { SessionRegistry } from '../sessions/session-registry';
import { MessageArrivals } from './message-arrivals';
import { CreateQueueRequest, SecureQueueRequest, SendMessageRequest } from './queue-requests';
import { QueueIds, QueueStore } from './queue-store';
import { MSG_ID_PATTERN, isRelayId } from './relay-ids';
import { parseSenderKey, verifySignature } from './signature-verifier';

type RawBodyRequest = Request & { rawBody?: Buffer };

function knownId(id: string, what: string): string {
  // An id outside the alphabet cannot name a queue: answer as for any unknown queue.
  if (!isRelayId(id)) throw notFound(`unknown ${what}`);
  return id;
}

@Controller('queues')
export class QueuesController {
  constructor(
    private readonly store: QueueStore,
    private readonly arrivals: MessageArrivals,
    private readonly sessions: SessionRegistry,
  ) {}

  /**
   * With a sessionId, the queue is also subscribed to that stream (saving the agent a second
   * request); an unknown or closed session does not fail the create, `subscribed: false` says so.
   */
  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<QueueIds & { subscribed?: boolean }> {
    const { idempotencyKey, sessionId } = parseRequest(CreateQueueRequest, body);
    const ids = await this.store.create(idempotencyKey);
    if (sessionId === undefined) return ids;
    return { ...ids, subscribed: this.sessions.subscribeIfOpen(sessionId, ids.recipientId) };
  }

  @Put(':recipientId/secure')
  @HttpCode(204)
  async secure(@Param('recipientId') recipientId: string, @Body() body: unknown): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    const { senderKey } = parseRequest(SecureQueueRequest, body);
    const key = parseSenderKey(senderKey);
    if (!key) throw badRequest('senderKey must be an Ed25519 public key, SPKI DER, base64', 'invalid_key');
    // Stored in one canonical spelling, so the same key in another base64 form is "the same key".
    const canonical = key.export({ format: 'der', type: 'spki' }).toString('base64');
    const outcome = await this.store.secure(rid, canonical);
    if (outcome === 'not_found') throw notFound('unknown queue');
    if (outcome === 'conflict') throw new RelayHttpError(409, 'already_secured', 'queue is secured with another key');
  }

  @Post(':senderId/messages')
  @HttpCode(201)
  async send(
    @Param('senderId') senderId: string,
    @Body() body: unknown,
    @Headers('x-signature') signature: string | undefined,
    @Req() req: RawBodyRequest,
  ): Promise<{ msgId: string }> {
    const sid = knownId(senderId, 'queue');
    const { msgId, body: text } = parseRequest(SendMessageRequest, body);
    // A secure racing this send changes the key under us; the store notices and we check again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = await this.store.sendTarget(sid);
      if (!target) throw notFound('unknown queue');
      if (target.senderKey !== '') {
        if (!signature) throw new RelayHttpError(401, 'signature_required', 'queue is secured: x-signature is required');
        if (!verifySignature(target.senderKey, req.rawBody ?? Buffer.alloc(0), signature)) {
          throw new RelayHttpError(403, 'bad_signature', 'x-signature does not verify with the queue sender key');
        }
      }
      const outcome = await this.store.send(target.recipientId, target.senderKey, msgId, text, new Date().toISOString());
      if (outcome.kind === 'not_found') throw notFound('unknown queue');
      if (outcome.kind === 'key_changed') continue;
      if (outcome.kind === 'stored') this.arrivals.stored(target.recipientId);
      return { msgId };
    }
    throw new RelayHttpError(409, 'key_changed', 'queue key changed during the send; retry');
  }

  @Delete(':recipientId/messages/:msgId')
  @HttpCode(204)
  async ack(@Param('recipientId') recipientId: string, @Param('msgId') msgId: string): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    if (!MSG_ID_PATTERN.test(msgId)) throw badRequest('msgId must match [A-Za-z0-9_-]{1,128}');
    if ((await this.store.ack(rid, msgId)) === 'not_found') throw notFound('unknown queue');
  }

  @Delete(':recipientId')
  @HttpCode(204)
  async remove(@Param('recipientId') recipientId: string): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    if ((await this.store.remove(rid)) === 'not_found') throw notFound('unknown queue');
    this.arrivals.deleted(rid);
  }
}
