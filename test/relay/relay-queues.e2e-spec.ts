import { openRelayStream } from '../support/relay-stream';
import { dropRelayKeys, relayApi, senderKeyPair, startRelay, StartedRelay } from './relay-fixture';

describe('relay queues API', () => {
  let relay: StartedRelay;
  let api: ReturnType<typeof relayApi>;

  beforeAll(async () => {
    relay = await startRelay('relay-queues');
    api = relayApi(relay.url);
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) await dropRelayKeys(relay.relayName);
  });

  it('round trip: create, secure, signed send, push on the stream, ack, delete', async () => {
    const created = await api.createQueue();
    expect(created.status).toBe(201);
    const { recipientId, senderId } = created.body;
    expect(recipientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(senderId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(senderId).not.toBe(recipientId);

    const keys = senderKeyPair();
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    expect(await api.send(senderId, 'm-1', 'hello', keys)).toEqual({ status: 201, body: { msgId: 'm-1' } });

    const stream = await openRelayStream(relay.url);
    try {
      expect(stream.events[0]).toEqual({ event: 'session', data: { sessionId: stream.sessionId } });
      expect((await api.subscribe(stream.sessionId, [recipientId])).body).toEqual({ subscribed: 1, unknown: [], refused: [] });
      await stream.waitFor((ev) => ev.some((e) => e.event === 'message'), 'message pushed');
      const [pushed] = stream.messages();
      expect(pushed).toMatchObject({ recipientId, msgId: 'm-1', body: 'hello' });
      expect(Number.isNaN(Date.parse(pushed.sentAt))).toBe(false);

      expect((await api.ack(recipientId, 'm-1')).status).toBe(204);
      expect((await api.ack(recipientId, 'm-1')).status).toBe(204); // idempotent
      expect((await api.deleteQueue(recipientId)).status).toBe(204);
      expect((await api.deleteQueue(recipientId)).status).toBe(204); // a retried delete is still fine
      const afterDelete = await api.send(senderId, 'm-2', 'too late', keys);
      expect(afterDelete.status).toBe(404);
      expect(afterDelete.body).toEqual({ error: 'not_found', message: expect.any(String) });
      expect((await api.subscribe(stream.sessionId, [recipientId])).body).toEqual({ subscribed: 0, unknown: [recipientId], refused: [] });
    } finally {
      stream.close();
    }
  });

  it('create with the same idempotencyKey returns the same queue to the same recipient key only; without one, a new queue', async () => {
    const a = await api.createQueue('conn-42-attempt-0');
    const b = await api.createQueue('conn-42-attempt-0');
    expect(a.status).toBe(201);
    expect(b).toEqual(a);
    const concurrent = await Promise.all([1, 2, 3, 4].map(() => api.createQueue('conn-43')));
    expect(new Set(concurrent.map((r) => r.body.recipientId)).size).toBe(1);
    const c = await api.createQueue();
    const d = await api.createQueue();
    expect(c.body.recipientId).not.toBe(d.body.recipientId);
    expect(c.body.recipientId).not.toBe(a.body.recipientId);
    // Someone who read the corrId (the agent's idempotency key) in a log gets a queue of their own.
    const thief = await relayApi(relay.url).createQueue('conn-42-attempt-0');
    expect(thief.status).toBe(201);
    expect(thief.body.recipientId).not.toBe(a.body.recipientId);
    expect(thief.body.senderId).not.toBe(a.body.senderId);
  });

  it('a send repeated with the same msgId is stored once', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    expect((await api.send(senderId, 'dup', 'first')).status).toBe(201);
    expect(await api.send(senderId, 'dup', 'first')).toEqual({ status: 201, body: { msgId: 'dup' } });
    await Promise.all([1, 2, 3].map(() => api.send(senderId, 'dup2', 'second')));
    expect((await api.send(senderId, 'after', 'third')).status).toBe(201);

    const stream = await openRelayStream(relay.url);
    try {
      await api.subscribe(stream.sessionId, [recipientId]);
      await stream.waitFor((ev) => ev.some((e) => e.data.msgId === 'after'), 'last message pushed');
      expect(stream.messages().map((m) => m.msgId)).toEqual(['dup', 'dup2', 'after']);
    } finally {
      stream.close();
    }
  });

  it('after secure, sends need the signature of the exact raw body: missing 401, wrong 403, right 201', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    expect((await api.send(senderId, 'before-secure', 'unsigned is fine')).status).toBe(201);
    const keys = senderKeyPair();
    const impostor = senderKeyPair();
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);

    const unsigned = await api.send(senderId, 's1', 'x');
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toEqual(expect.any(String));
    expect((await api.send(senderId, 's1', 'x', impostor)).status).toBe(403);
    // A signature of other bytes (same JSON, different spacing) does not verify.
    const otherBytes = await api.call('POST', `/queues/${senderId}/messages`, '{"msgId":"s1","body":"x"}', {
      'x-signature': keys.sign('{"msgId": "s1", "body": "x"}'),
    });
    expect(otherBytes.status).toBe(403);
    expect((await api.send(senderId, 's1', 'x', keys)).status).toBe(201);
  });

  it('secure again with the same key is 204, with another key 409, with a malformed key 400', async () => {
    const { recipientId } = (await api.createQueue()).body;
    const keys = senderKeyPair();
    expect((await api.secure(recipientId, 'not a key')).status).toBe(400);
    expect((await api.secure(recipientId, Buffer.from('garbage').toString('base64'))).status).toBe(400);
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    expect((await api.secure(recipientId, keys.publicKey)).status).toBe(204);
    const conflict = await api.secure(recipientId, senderKeyPair().publicKey);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('answers every bad input with 4xx {error, message}', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAA';
    const cases: Array<[string, Promise<{ status: number; body: any }>, number]> = [
      ['bad JSON', api.call('POST', '/queues', '{"idempotencyKey":'), 400],
      ['wrong type', api.call('POST', '/queues', { idempotencyKey: 7 }), 400],
      ['create without a recipient key', api.call('POST', '/queues', {}), 400],
      ['create with a bad recipient key', api.call('POST', '/queues', { recipientKey: 'AAAA' }), 400],
      ['create unsigned', api.call('POST', '/queues', { recipientKey: api.recipient.publicKey }), 403],
      ['send to unknown queue', api.send(unknownId, 'm', 'x'), 404],
      ['send to malformed id', api.send('not-an-id', 'm', 'x'), 404],
      ['bad msgId', api.send(senderId, 'bad id!', 'x'), 400],
      ['msgId too long', api.send(senderId, 'a'.repeat(129), 'x'), 400],
      ['body not a string', api.call('POST', `/queues/${senderId}/messages`, { msgId: 'm', body: 5 }), 400],
      ['body over 128 KiB', api.send(senderId, 'big', 'a'.repeat(131_073)), 413],
      ['request over 132 KiB', api.send(senderId, 'huge', 'a'.repeat(140 * 1024)), 413],
      ['secure unknown queue', api.secure(unknownId, senderKeyPair().publicKey), 404],
      ['secure without key', api.call('PUT', `/queues/${recipientId}/secure`, {}), 400],
      ['ack bad msgId', api.ack(recipientId, 'bad%20id'), 400],
      ['ack unsigned', api.call('DELETE', `/queues/${recipientId}/messages/m`), 401],
      ['delete unsigned', api.call('DELETE', `/queues/${recipientId}`), 401],
      ['secure unsigned', api.call('PUT', `/queues/${recipientId}/secure`, { senderKey: senderKeyPair().publicKey }), 401],
      ['ack unknown queue', api.ack(unknownId, 'm'), 404],
      ['delete unknown queue', api.deleteQueue(unknownId), 404],
      ['subscribe unknown session', api.subscribe('nope', [recipientId]), 404],
      ['unknown route', api.call('GET', '/nowhere'), 404],
    ];
    for (const [name, answer, status] of cases) {
      const { status: got, body } = await answer;
      expect({ name, status: got }).toEqual({ name, status });
      expect({ name, body }).toEqual({ name, body: { error: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) } });
    }
    // A 128 KiB body exactly is accepted (a 64 KiB message, sealed end to end, fits).
    expect((await api.send(senderId, 'max', 'a'.repeat(131_072))).status).toBe(201);
  });

  it('rejects a subscription request that is not a list of at most 1000 signed ids', async () => {
    const stream = await openRelayStream(relay.url);
    try {
      expect((await api.call('POST', `/sessions/${stream.sessionId}/subscriptions`, { subscriptions: 'x' })).status).toBe(400);
      // The unsigned shape of old is refused as malformed, not taken as a subscription.
      expect((await api.call('POST', `/sessions/${stream.sessionId}/subscriptions`, { recipientIds: ['AAAAAAAAAAAAAAAAAAAAAA'] })).status).toBe(400);
      const tooMany = Array.from({ length: 1_001 }, (_, i) => `id${i}`);
      expect((await api.subscribe(stream.sessionId, tooMany)).status).toBe(400);
      expect((await api.subscribe(stream.sessionId, ['junk'])).body).toEqual({ subscribed: 0, unknown: ['junk'], refused: [] });
    } finally {
      stream.close();
    }
  });

  it('serves the stream as text/event-stream with its session event first', async () => {
    const controller = new AbortController();
    const res = await fetch(`${relay.url}/sessions/stream`, { signal: controller.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      expect(Buffer.from(value!).toString('utf8')).toMatch(/^event: session\ndata: \{"sessionId":"[A-Za-z0-9_-]{22}"\}\n\n/);
    } finally {
      controller.abort();
    }
  });

  it('answers /health with 200 {status: ok}', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });
});
