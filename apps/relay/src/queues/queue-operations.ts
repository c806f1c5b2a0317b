import { Inject, Injectable } from '@nestjs/common';
import { RecipientStatement, SIGNATURE_HEADER } from '@gc/contracts';
import { RELAY_CONFIG, RelayConfig } from '../config/relay-config';
import { RelayHttpError, badRequest, notFound } from '../http/relay-http-error';
import { parseRequest } from '../http/parse-request';
import { SessionRegistry } from '../sessions/session-registry';
import { MessageArrivals } from './message-arrivals';
import { CreateQueueRequest, SecureQueueRequest, SendMessageRequest } from './queue-requests';
import { QueueIds, QueueStore } from './queue-store';
import { MSG_ID_PATTERN, isRelayId } from './relay-ids';
import { canonicalKey, verifySignature } from './signature-verifier';

function knownId(id: string, what: string): string {
  // An id outside the alphabet cannot name a queue: answer as for any unknown queue.
  if (!isRelayId(id)) throw notFound(`unknown ${what}`);
  return id;
}

const badSignature = () => new RelayHttpError(403, 'bad_signature', `${SIGNATURE_HEADER} does not verify with the queue's recipient key`);

/**
 * What each queue route does, apart from HTTP: the single routes (QueuesController) and POST /batch
 * (BatchController) call the same methods, so an operation answers the same either way. `raw` is the
 * exact text a signature covers (the request body as sent); `value` is that text parsed.
 */
@Injectable()
export class QueueOperations {
  constructor(
    private readonly store: QueueStore,
    private readonly arrivals: MessageArrivals,
    private readonly sessions: SessionRegistry,
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
  ) {}

  /**
   * Signed over the raw body with the recipient key it names (proof the caller holds the key, so
   * nobody can claim a queue keyed to someone else's key). With a sessionId, the queue is also
   * subscribed to that stream (saving the agent a second request); an unknown or closed session
   * does not fail the create, `subscribed: false` says so.
   */
  async create(raw: Buffer | string, value: unknown, signature: string | undefined, caller: string): Promise<QueueIds & { subscribed?: boolean }> {
    const { recipientKey, idempotencyKey, sessionId } = parseRequest(CreateQueueRequest, value);
    const key = canonicalKey(recipientKey);
    if (!key) throw badRequest('recipientKey must be an Ed25519 public key, SPKI DER, base64', 'invalid_key');
    if (!verifySignature(key, raw, signature)) {
      throw new RelayHttpError(403, 'bad_signature', `${SIGNATURE_HEADER} must be the recipient key's signature of the request body`);
    }
    const ids = await this.store.create(key, caller, idempotencyKey);
    if (ids === 'too_many') {
      throw new RelayHttpError(429, 'too_many_queues', `this caller holds ${this.config.bounds.queuesPerCaller} queues already; delete some first`);
    }
    if (sessionId === undefined) return ids;
    return { ...ids, subscribed: this.sessions.subscribeIfOpen(sessionId, ids.recipientId) };
  }

  async secure(recipientId: string, value: unknown, signature: string | undefined): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    const { senderKey } = parseRequest(SecureQueueRequest, value);
    const canonical = canonicalKey(senderKey);
    if (!canonical) throw badRequest('senderKey must be an Ed25519 public key, SPKI DER, base64', 'invalid_key');
    // The statement names the key as the recipient sent it: the signature covers exactly that text.
    await this.authorize(rid, RecipientStatement.secure(rid, senderKey), signature);
    const outcome = await this.store.secure(rid, canonical);
    if (outcome === 'not_found') throw notFound('unknown queue');
    if (outcome === 'conflict') throw new RelayHttpError(409, 'already_secured', 'queue is secured with another key');
  }

  async send(senderId: string, raw: Buffer | string, value: unknown, signature: string | undefined): Promise<{ msgId: string }> {
    const sid = knownId(senderId, 'queue');
    const { msgId, body: text } = parseRequest(SendMessageRequest, value);
    const limit = this.config.bounds.messageBytes;
    if (Buffer.byteLength(text) > limit) throw new RelayHttpError(413, 'body_too_large', `body must be at most ${limit} bytes`);
    // A secure racing this send changes the key under us; the store notices and we check again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = await this.store.sendTarget(sid);
      if (!target) throw notFound('unknown queue');
      if (target.senderKey !== '') {
        if (!signature) throw new RelayHttpError(401, 'signature_required', `queue is secured: ${SIGNATURE_HEADER} is required`);
        if (!verifySignature(target.senderKey, raw, signature)) {
          throw new RelayHttpError(403, 'bad_signature', `${SIGNATURE_HEADER} does not verify with the queue sender key`);
        }
      }
      const outcome = await this.store.send(target.recipientId, target.senderKey, msgId, text, new Date().toISOString());
      if (outcome.kind === 'not_found') throw notFound('unknown queue');
      if (outcome.kind === 'key_changed') {
        this.store.forgetSendTarget(sid);
        continue;
      }
      if (outcome.kind === 'full') {
        throw new RelayHttpError(429, 'queue_full', `queue holds ${this.config.bounds.messagesPerQueue} unacked messages; retry once its recipient acks`);
      }
      if (outcome.kind === 'stored') this.arrivals.stored(target.recipientId);
      return { msgId };
    }
    throw new RelayHttpError(409, 'key_changed', 'queue key changed during the send; retry');
  }

  async ack(recipientId: string, msgId: string, signature: string | undefined): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    if (!MSG_ID_PATTERN.test(msgId)) throw badRequest('msgId must match [A-Za-z0-9_-]{1,128}');
    await this.authorize(rid, RecipientStatement.ack(rid, msgId), signature);
    if ((await this.store.ack(rid, msgId)) === 'not_found') throw notFound('unknown queue');
  }

  async remove(recipientId: string, signature: string | undefined): Promise<void> {
    const rid = knownId(recipientId, 'queue');
    await this.authorize(rid, RecipientStatement.delete(rid), signature);
    if ((await this.store.remove(rid)) === 'not_found') throw notFound('unknown queue');
    this.arrivals.deleted(rid);
  }

  /**
   * Only the holder of the queue's recipient key acts on it; a deleted queue's tombstone keeps the
   * key, so a retried delete or ack by its owner still succeeds and nobody else learns more than 403.
   */
  private async authorize(rid: string, statement: string, signature: string | undefined): Promise<void> {
    const key = await this.store.recipientKey(rid);
    if (!key) throw notFound('unknown queue');
    if (!signature) throw new RelayHttpError(401, 'signature_required', `recipient operations need ${SIGNATURE_HEADER}`);
    if (!verifySignature(key, statement, signature)) throw badSignature();
  }
}
