import { SUBSCRIBE_REQUEST_IDS } from '../../apps/agent/src/relay/relay-client';
import { eventually } from '../support/eventually';
import { openRelayStream } from '../support/relay-stream';
import { uniqueSuffix } from '../support/test-isolation';
import { dropRelayKeys, relayApi, startRelay, StartedRelay } from './relay-fixture';

describe('relay push delivery', () => {
  const started: StartedRelay[] = [];
  const names = new Set<string>();

  async function relay(label: string, relayName?: string): Promise<StartedRelay> {
    const r = await startRelay(label, { relayName });
    started.push(r);
    names.add(r.relayName);
    return r;
  }

  afterAll(async () => {
    await Promise.all(started.map((r) => r.stop()));
    for (const name of names) await dropRelayKeys(name);
  });

  it('pushes unacked messages in send order on subscribe, then new ones as they are sent', async () => {
    const r = await relay('relay-push-order');
    const api = relayApi(r.url);
    const { recipientId, senderId } = (await api.createQueue()).body;
    const before = Array.from({ length: 20 }, (_, i) => `b${i}`);
    for (const id of before) expect((await api.send(senderId, id, `body ${id}`)).status).toBe(201);

    const stream = await openRelayStream(r.url);
    try {
      await api.subscribe(stream.sessionId, [recipientId]);
      const after = Array.from({ length: 20 }, (_, i) => `a${i}`);
      // Sent while the backlog is being pushed: the stream must still be in send order.
      for (const id of after) await api.send(senderId, id, `body ${id}`);
      await stream.waitFor((ev) => ev.filter((e) => e.event === 'message').length >= 40, '40 messages');
      expect(stream.messages().map((m) => m.msgId)).toEqual([...before, ...after]);
      expect(stream.messages()[0].body).toBe('body b0');
    } finally {
      stream.close();
    }
  });

  it('subscribes a queue at create when the create names an open session, and says whether it did', async () => {
    const r = await relay('relay-push-create-subscribed');
    const api = relayApi(r.url);
    const stream = await openRelayStream(r.url);
    try {
      const created = await api.createQueue('sub-at-create', stream.sessionId);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ subscribed: true });
      const { recipientId, senderId } = created.body;
      // A retried create (same key, same session) answers the same queue, subscribed again.
      const again = await api.createQueue('sub-at-create', stream.sessionId);
      expect(again.body).toEqual({ recipientId, senderId, subscribed: true });
      await api.send(senderId, 'pushed', 'hello');
      await stream.waitFor((ev) => ev.some((e) => e.data.msgId === 'pushed'), 'message on a queue subscribed at create');
      expect(stream.messages()).toEqual([expect.objectContaining({ recipientId, msgId: 'pushed', body: 'hello' })]);

      // An unknown session does not fail the create: the queue is made, unsubscribed.
      const orphan = await api.createQueue('sub-at-create-2', 'no-such-session');
      expect(orphan.status).toBe(201);
      expect(orphan.body).toMatchObject({ subscribed: false, recipientId: expect.any(String), senderId: expect.any(String) });
      // Without a sessionId the answer is as before.
      expect(Object.keys((await api.createQueue()).body).sort()).toEqual(['recipientId', 'senderId']);
    } finally {
      stream.close();
    }
  });

  it('keeps a message until it is acked: a new subscription gets it again, not after the ack', async () => {
    const r = await relay('relay-push-ack');
    const api = relayApi(r.url);
    const { recipientId, senderId } = (await api.createQueue()).body;
    await api.send(senderId, 'm1', 'one');
    await api.send(senderId, 'm2', 'two');

    const first = await openRelayStream(r.url);
    await api.subscribe(first.sessionId, [recipientId]);
    await first.waitFor((ev) => ev.filter((e) => e.event === 'message').length === 2, 'm1, m2 pushed');
    first.close();

    const second = await openRelayStream(r.url);
    await api.subscribe(second.sessionId, [recipientId]);
    await second.waitFor((ev) => ev.filter((e) => e.event === 'message').length === 2, 'm1, m2 pushed again (not acked)');
    expect((await api.ack(recipientId, 'm1')).status).toBe(204);
    second.close();

    await api.send(senderId, 'm3', 'three');
    const third = await openRelayStream(r.url);
    try {
      await api.subscribe(third.sessionId, [recipientId]);
      await third.waitFor((ev) => ev.some((e) => e.data.msgId === 'm3'), 'm3 pushed');
      expect(third.messages().map((m) => m.msgId)).toEqual(['m2', 'm3']);
    } finally {
      third.close();
    }
  });

  it('gives a queue to the latest subscribing session only', async () => {
    const r = await relay('relay-push-takeover');
    const api = relayApi(r.url);
    const { recipientId, senderId } = (await api.createQueue()).body;
    const older = await openRelayStream(r.url);
    const newer = await openRelayStream(r.url);
    try {
      await api.subscribe(older.sessionId, [recipientId]);
      await api.send(senderId, 'first', 'x');
      await older.waitFor((ev) => ev.some((e) => e.data.msgId === 'first'), 'older gets first');
      await api.subscribe(newer.sessionId, [recipientId]);
      await api.send(senderId, 'second', 'y');
      await newer.waitFor((ev) => ev.some((e) => e.data.msgId === 'second'), 'newer gets second');
      expect(newer.messages().map((m) => m.msgId)).toEqual(['first', 'second']);
      expect(older.messages().map((m) => m.msgId)).toEqual(['first']);
    } finally {
      older.close();
      newer.close();
    }
  });

  it('keeps messages across a relay restart: pushed again after resubscribing, until acked', async () => {
    const relayName = `t-restart-${uniqueSuffix()}`;
    const r1 = await relay('relay-push-restart-1', relayName);
    const api1 = relayApi(r1.url);
    const { recipientId, senderId } = (await api1.createQueue('restart-key')).body;
    await api1.send(senderId, 'kept', 'survives');
    const stream1 = await openRelayStream(r1.url);
    await api1.subscribe(stream1.sessionId, [recipientId]);
    await stream1.waitFor((ev) => ev.some((e) => e.data.msgId === 'kept'), 'pushed before restart');
    await r1.stop();
    // Nest re-raises SIGTERM after its graceful close; a SIGKILL would mean the close hung.
    expect(r1.child.signalCode ?? r1.child.exitCode).toBe('SIGTERM');
    await eventually(() => stream1.isEnded(), { what: 'stream ended by the restart' });

    const r2 = await relay('relay-push-restart-2', relayName);
    // The same caller (same recipient key) after the restart.
    const api2 = relayApi(r2.url, api1.recipient);
    expect((await api2.createQueue('restart-key')).body).toEqual({ recipientId, senderId });
    const stream2 = await openRelayStream(r2.url);
    try {
      expect((await api2.subscribe(stream2.sessionId, [recipientId])).body).toEqual({ subscribed: 1, unknown: [], refused: [] });
      await stream2.waitFor((ev) => ev.some((e) => e.data.msgId === 'kept'), 'pushed again after restart');
      expect(stream2.messages()[0]).toMatchObject({ recipientId, msgId: 'kept', body: 'survives' });
      expect((await api2.ack(recipientId, 'kept')).status).toBe(204);
      // Dedupe by msgId survives the restart too.
      await api2.send(senderId, 'kept', 'survives');
      await api2.send(senderId, 'next', 'after ack');
      await stream2.waitFor((ev) => ev.some((e) => e.data.msgId === 'next'), 'next pushed');
      expect(stream2.messages().map((m) => m.msgId)).toEqual(['kept', 'next']);
    } finally {
      stream2.close();
    }
  });

  it('keeps two relays with different RELAY_NAME on one Redis independent', async () => {
    const a = await relay('relay-push-two-a');
    const b = await relay('relay-push-two-b');
    const apiA = relayApi(a.url);
    const apiB = relayApi(b.url);
    const onA = (await apiA.createQueue('same-key')).body;
    const onB = (await apiB.createQueue('same-key')).body;
    expect(onB.recipientId).not.toBe(onA.recipientId);
    expect((await apiB.send(onA.senderId, 'x', 'y')).status).toBe(404);
    expect((await apiB.secure(onA.recipientId, 'irrelevant')).status).toBeGreaterThanOrEqual(400);
    await apiA.send(onA.senderId, 'only-a', 'a');
    const streamB = await openRelayStream(b.url);
    try {
      expect((await apiB.subscribe(streamB.sessionId, [onA.recipientId, onB.recipientId])).body).toEqual({
        subscribed: 1,
        unknown: [onA.recipientId],
        refused: [],
      });
      await apiB.send(onB.senderId, 'only-b', 'b');
      await streamB.waitFor((ev) => ev.some((e) => e.data.msgId === 'only-b'), 'B pushes its own message');
      expect(streamB.messages().map((m) => m.msgId)).toEqual(['only-b']);
    } finally {
      streamB.close();
    }
  });

  it("takes one of the agent's subscribe requests (SUBSCRIBE_REQUEST_IDS real queues) at its default body limit; 1,000 of them were past it", async () => {
    const r = await relay('relay-push-subscribe-size');
    const api = relayApi(r.url);
    // Real queues: their ids are as long as the relay makes them, each signed as the agent signs it.
    const ids: string[] = [];
    while (ids.length < SUBSCRIBE_REQUEST_IDS) {
      const made = await Promise.all(Array.from({ length: 50 }, () => api.createQueue()));
      ids.push(...made.map((m) => m.body.recipientId as string));
    }
    const stream = await openRelayStream(r.url);
    try {
      expect((await api.subscribe(stream.sessionId, ids)).body).toMatchObject({ subscribed: SUBSCRIBE_REQUEST_IDS });
      // The agent's batch before this fix: the same ids four times over (the relay answers before counting them).
      expect((await api.subscribe(stream.sessionId, [...ids, ...ids, ...ids, ...ids])).status).toBe(413);
    } finally {
      stream.close();
    }
  });
});
