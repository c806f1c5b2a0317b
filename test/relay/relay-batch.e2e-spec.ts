import { RecipientStatement } from '@gc/contracts';
import { openRelayStream } from '../support/relay-stream';
import { dropRelayKeys, relayApi, senderKeyPair, startRelay, StartedRelay } from './relay-fixture';

/**
 * POST /batch: several queue operations in one request, each answered as its own route would
 * answer it alone, one refused operation never failing the others; the caller's bounds hold per
 * operation, not per request.
 */
describe('relay POST /batch', () => {
  let relay: StartedRelay;
  let limited: StartedRelay;

  beforeAll(async () => {
    [relay, limited] = await Promise.all([
      startRelay('relay-batch'),
      startRelay('relay-batch-limited', { env: { RELAY_RATE_LIMIT_PER_SECOND: '10' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([relay?.stop(), limited?.stop()]);
    await Promise.allSettled([relay, limited].filter(Boolean).map((r) => dropRelayKeys(r.relayName)));
  });

  /** A create operation signed by `api`'s recipient key, as the agent builds it. */
  const createOp = (api: ReturnType<typeof relayApi>, idempotencyKey: string) => {
    const body = JSON.stringify({ recipientKey: api.recipient.publicKey, idempotencyKey });
    return { op: 'create', body, signature: api.recipient.sign(body) };
  };

  it('answers each operation as its single route would, in order, and one refused operation leaves the others done', async () => {
    const api = relayApi(relay.url);
    const stranger = relayApi(relay.url);
    const { recipientId, senderId } = (await api.createQueue('batch-q1')).body;
    const keys = senderKeyPair();
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    const doomed = (await api.createQueue('batch-q2')).body;
    const sendBody = JSON.stringify({ msgId: 'b-1', body: 'sealed text' });

    const answer = await api.call('POST', '/batch', {
      ops: [
        createOp(api, 'batch-new'),
        { op: 'send', senderId, body: sendBody, signature: keys.sign(sendBody) },
        { op: 'send', senderId, body: JSON.stringify({ msgId: 'b-2', body: 'unsigned' }) },
        { op: 'send', senderId: 'A'.repeat(22), body: JSON.stringify({ msgId: 'b-3', body: 'x' }) },
        { op: 'ack', recipientId, msgId: 'b-0', signature: stranger.recipient.sign(RecipientStatement.ack(recipientId, 'b-0')) },
        { op: 'delete', recipientId: doomed.recipientId, signature: api.recipient.sign(RecipientStatement.delete(doomed.recipientId)) },
        { op: 'teleport', recipientId },
        { op: 'create', body: '{not json', signature: 'x' },
      ],
    });
    expect(answer.status).toBe(200);
    const results = answer.body.results;
    expect(results).toHaveLength(8);
    expect(results[0]).toEqual({ status: 201, body: { recipientId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), senderId: expect.any(String) } });
    expect(results[1]).toEqual({ status: 201, body: { msgId: 'b-1' } });
    expect(results[2]).toEqual({ status: 401, body: { error: 'signature_required', message: expect.any(String) } });
    expect(results[3]).toEqual({ status: 404, body: { error: 'not_found', message: 'unknown queue' } });
    expect(results[4]).toEqual({ status: 403, body: { error: 'bad_signature', message: expect.any(String) } });
    expect(results[5]).toEqual({ status: 204 });
    expect(results[6]).toEqual({ status: 400, body: { error: 'bad_request', message: expect.stringMatching(/op/) } });
    expect(results[7]).toEqual({ status: 400, body: { error: 'bad_request', message: 'body: not JSON' } });

    // What the batch did is what the single routes see: the batch's create is the queue a single
    // create with the same key and idempotency key returns, the deleted queue is gone, the message is stored once.
    expect((await api.createQueue('batch-new')).body).toEqual(results[0].body);
    expect((await api.send(doomed.senderId, 'late', 'x')).status).toBe(404);
    expect(await api.send(senderId, 'b-1', 'sealed text', keys)).toEqual({ status: 201, body: { msgId: 'b-1' } });
    const stream = await openRelayStream(relay.url);
    try {
      await api.subscribe(stream.sessionId, [recipientId]);
      await stream.waitFor((ev) => ev.some((e) => e.event === 'message'), 'the batched send pushed');
      expect(stream.messages().map((m) => m.msgId)).toEqual(['b-1']);
      const ack = await api.call('POST', '/batch', {
        ops: [
          { op: 'ack', recipientId, msgId: 'b-1', signature: api.recipient.sign(RecipientStatement.ack(recipientId, 'b-1')) },
          { op: 'secure', recipientId, body: JSON.stringify({ senderKey: senderKeyPair().publicKey }), signature: 'AAAA' },
        ],
      });
      expect(ack.body.results).toEqual([{ status: 204 }, { status: 403, body: { error: 'bad_signature', message: expect.any(String) } }]);
    } finally {
      stream.close();
    }
  });

  it('refuses a malformed request whole: no ops, more than 64, unknown fields', async () => {
    const api = relayApi(relay.url);
    const op = createOp(api, 'never');
    for (const body of [{ ops: [] }, { ops: Array.from({ length: 65 }, () => op) }, { ops: [op], extra: 1 }, { nothing: true }]) {
      const answer = await api.call('POST', '/batch', body);
      expect(answer).toEqual({ status: 400, body: { error: 'bad_request', message: expect.any(String) } });
    }
    // None of them ran: the create's idempotency key is still free, so its queue is made now.
    expect((await api.call('POST', '/batch', { ops: [op] })).body.results[0].status).toBe(201);
  });

  it('takes a rate-limit token per operation: a batch is no way around RELAY_RATE_LIMIT_PER_SECOND', async () => {
    // 10 per second, bursts of 20: a batch of 64 from one caller gets 20 operations through.
    const api = relayApi(limited.url, undefined, { localAddress: '127.0.0.5' });
    const ops = Array.from({ length: 64 }, (_, i) => ({ op: 'send', senderId: 'A'.repeat(22), body: JSON.stringify({ msgId: `m${i}`, body: 'x' }) }));
    const answer = await api.call('POST', '/batch', { ops });
    expect(answer.status).toBe(200);
    const statuses = answer.body.results.map((r: { status: number }) => r.status);
    const refused = statuses.filter((s: number) => s === 429).length;
    // The request's own token, then one per operation after the first (a few may refill meanwhile).
    expect(refused).toBeGreaterThanOrEqual(40);
    expect(statuses.filter((s: number) => s === 404).length).toBe(64 - refused);
    expect(answer.body.results.find((r: { status: number }) => r.status === 429).body).toEqual({ error: 'rate_limited', message: expect.stringMatching(/10 requests per second/) });
    // The bucket is empty for the next request too.
    expect((await api.send('A'.repeat(22), 'next', 'x')).status).toBe(429);
  });

  it('counts batched operations by operation and status, and the request under its route', async () => {
    const api = relayApi(relay.url);
    await api.call('POST', '/batch', { ops: [{ op: 'send', senderId: 'B'.repeat(22), body: JSON.stringify({ msgId: 'x', body: 'x' }) }] });
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    expect(text).toMatch(/gc_relay_batched_operations_total\{operation="send",status="404"[^}]*\} [1-9]/);
    expect(text).toMatch(/gc_relay_batched_operations_total\{operation="create",status="201"[^}]*\} [1-9]/);
    expect(text).toMatch(/gc_relay_requests_total\{route="\/batch",method="POST",status="200"[^}]*\} [1-9]/);
  });
});
