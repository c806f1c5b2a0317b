import { RecipientStatement, RelayOperation } from '@gc/contracts';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { exchange, HttpAnswer, KeepAlivePool } from '../../apps/agent/src/relay/http-exchange';
import { BATCH_CHANNEL, BatchEvent, RelayBatcher, RelayTransport } from '../../apps/agent/src/relay/relay-batcher';
import diagnostics from 'node:diagnostics_channel';
import { RouteRequest } from '../../apps/agent/src/relay/relay-operation';
import { clearRelayFaults, RELAY_TEST_ADMIN_TOKEN, setRelayFaults } from '../support/relay-admin';
import { dropRelayKeys, relayApi, senderKeyPair, startRelay, StartedRelay } from '../relay/relay-fixture';

/**
 * The agent's RelayBatcher against a real relay: operations submitted for one relay in one
 * event-loop turn travel as one POST /batch and each settles as it would have alone; a relay that
 * does not take batches gets single requests; a failed batch fails each of its operations the way
 * a failed single request would.
 */
describe('agent relay batching', () => {
  let relay: StartedRelay;
  let oldRelay: Server;
  let oldRelayUrl: string;
  let liar: Server;
  let liarUrl: string;
  const oldRelayPaths: string[] = [];
  const pool = new KeepAlivePool(16);
  /** Every HTTP request the batcher made, by relay and path. */
  let sent: string[] = [];

  /** The client's own exchange (timeout, keep-alive), recording each request it is asked for. */
  const transport: RelayTransport = (url: string, request: RouteRequest): Promise<HttpAnswer> => {
    sent.push(`${request.method} ${request.path.replace(/[A-Za-z0-9_-]{22}/g, ':id')}`);
    const headers = request.body !== undefined ? { 'content-type': 'application/json', ...request.headers } : request.headers;
    return exchange(pool, `${url}${request.path}`, { method: request.method, body: request.body, headers, timeoutMs: 1_000 });
  };

  beforeAll(async () => {
    relay = await startRelay('relay-batching');
    // A relay of an older release: sends, and 404 for anything else (POST /batch). And a foreign
    // relay that answers POST /batch with results that are not ours (one result for any batch).
    [oldRelay, oldRelayUrl] = await sendOnlyRelay((req, res) => {
      oldRelayPaths.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'no such route' }));
    });
    [liar, liarUrl] = await sendOnlyRelay((_req, res) => res.writeHead(200).end(JSON.stringify({ results: [{ status: 201, body: { msgId: 'forged' } }] })));
  });

  beforeEach(() => {
    sent = [];
  });

  afterAll(async () => {
    pool.destroy();
    for (const server of [oldRelay, liar]) {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    }
    await relay?.stop();
    if (relay) await dropRelayKeys(relay.relayName);
  });

  /** A server answering sends with their msgId, and anything else with `other`. */
  async function sendOnlyRelay(other: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, string]> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        if (req.method === 'POST' && /^\/queues\/[^/]+\/messages$/.test(req.url ?? '')) res.writeHead(201).end(JSON.stringify({ msgId: JSON.parse(body).msgId }));
        else other(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
  }

  const sendOp = (senderId: string, msgId: string): RelayOperation => ({ op: 'send', senderId, body: JSON.stringify({ msgId, body: 'x' }) });

  it('sends the operations of one turn as one POST /batch, each answered as alone; an operation alone goes by its own route', async () => {
    const api = relayApi(relay.url);
    const { recipientId, senderId } = (await api.createQueue()).body;
    const createBody = JSON.stringify({ recipientKey: api.recipient.publicKey, idempotencyKey: 'batched-create' });
    const batcher = new RelayBatcher(transport, { maxOps: 32, maxBytes: 32 * 1024 });
    const published: BatchEvent[] = [];
    const listener = (m: unknown) => published.push(m as BatchEvent);
    diagnostics.subscribe(BATCH_CHANNEL, listener);

    const answers = await Promise.all([
      batcher.submit(relay.url, { op: 'create', body: createBody, signature: api.recipient.sign(createBody) }),
      batcher.submit(relay.url, sendOp(senderId, 'm-1')),
      batcher.submit(relay.url, sendOp('A'.repeat(22), 'm-2')),
      batcher.submit(relay.url, { op: 'ack', recipientId, msgId: 'm-1', signature: senderKeyPair().sign(RecipientStatement.ack(recipientId, 'm-1')) }),
    ]);
    expect(sent).toEqual(['POST /batch']);
    expect(answers[0].status).toBe(201);
    expect(JSON.parse(answers[0].text)).toEqual((await api.createQueue('batched-create')).body);
    expect(answers[1]).toEqual({ status: 201, text: JSON.stringify({ msgId: 'm-1' }) });
    expect(answers[2].status).toBe(404);
    expect(JSON.parse(answers[2].text)).toMatchObject({ error: 'not_found' });
    expect(answers[3].status).toBe(403);
    expect(JSON.parse(answers[3].text)).toMatchObject({ error: 'bad_signature' });

    sent = [];
    expect((await batcher.submit(relay.url, sendOp(senderId, 'm-3'))).status).toBe(201);
    expect(sent).toEqual(['POST /queues/:id/messages']);
    // What gc_agent_relay_batch_operations observes: operations per request.
    diagnostics.unsubscribe(BATCH_CHANNEL, listener);
    expect(published).toEqual([
      { relay: relay.url, operations: 4 },
      { relay: relay.url, operations: 1 },
    ]);
  });

  it('keeps a batch within its operation and byte bounds; a bigger operation goes alone; maxOps 1 never batches', async () => {
    const { senderId } = (await relayApi(relay.url).createQueue()).body;
    const batcher = new RelayBatcher(transport, { maxOps: 3, maxBytes: 1_000 });
    const big: RelayOperation = { op: 'send', senderId, body: JSON.stringify({ msgId: 'big', body: 'y'.repeat(2_000) }) };
    const answers = await Promise.all([...Array.from({ length: 7 }, (_, i) => batcher.submit(relay.url, sendOp(senderId, `n-${i}`))), batcher.submit(relay.url, big)]);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(sent.sort()).toEqual(['POST /batch', 'POST /batch', 'POST /queues/:id/messages', 'POST /queues/:id/messages'].sort());

    sent = [];
    const unbatched = new RelayBatcher(transport, { maxOps: 1, maxBytes: 1_000 });
    await Promise.all([unbatched.submit(relay.url, sendOp(senderId, 'u-1')), unbatched.submit(relay.url, sendOp(senderId, 'u-2'))]);
    expect(sent).toEqual(['POST /queues/:id/messages', 'POST /queues/:id/messages']);
  });

  it('falls back to single requests for a relay without POST /batch, and keeps to them', async () => {
    const batcher = new RelayBatcher(transport, { maxOps: 32, maxBytes: 32 * 1024 });
    const first = await Promise.all([batcher.submit(oldRelayUrl, sendOp('A'.repeat(22), 'o-1')), batcher.submit(oldRelayUrl, sendOp('B'.repeat(22), 'o-2'))]);
    expect(first.map((a) => a.status)).toEqual([201, 201]);
    expect(sent).toEqual(['POST /batch', 'POST /queues/:id/messages', 'POST /queues/:id/messages']);
    sent = [];
    const again = await Promise.all([batcher.submit(oldRelayUrl, sendOp('A'.repeat(22), 'o-3')), batcher.submit(oldRelayUrl, sendOp('B'.repeat(22), 'o-4'))]);
    expect(again.map((a) => a.status)).toEqual([201, 201]);
    expect(sent).toEqual(['POST /queues/:id/messages', 'POST /queues/:id/messages']);
    expect(oldRelayPaths.filter((p) => p === 'POST /batch')).toHaveLength(1);
  });

  it('falls back to single requests when a batch answer is not the results asked for (a foreign relay)', async () => {
    const batcher = new RelayBatcher(transport, { maxOps: 32, maxBytes: 32 * 1024 });
    const first = await Promise.all([batcher.submit(liarUrl, sendOp('A'.repeat(22), 'l-1')), batcher.submit(liarUrl, sendOp('B'.repeat(22), 'l-2'))]);
    expect(first).toEqual([
      { status: 201, text: JSON.stringify({ msgId: 'l-1' }) },
      { status: 201, text: JSON.stringify({ msgId: 'l-2' }) },
    ]);
    expect(sent).toEqual(['POST /batch', 'POST /queues/:id/messages', 'POST /queues/:id/messages']);
  });

  it('fails each operation of a batch the relay did not answer as a single request would fail: the same 503, or the same transport error', async () => {
    const { senderId } = (await relayApi(relay.url).createQueue()).body;
    const batcher = new RelayBatcher(transport, { maxOps: 32, maxBytes: 32 * 1024 });
    await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, { failureRate: 1 });
    try {
      const seen = new Set<string>();
      // Every kind the relay injects (503, reset, stall) in a few rounds; each round is one batch.
      for (let round = 0; round < 40 && seen.size < 3; round++) {
        const outcomes = await Promise.all(
          [0, 1, 2].map((i) =>
            batcher.submit(relay.url, sendOp(senderId, `f-${round}-${i}`)).then(
              (a) => `answer ${a.status} ${JSON.parse(a.text).error}`,
              (e: Error & { code?: string }) => `error ${e.code ?? e.name}`,
            ),
          ),
        );
        expect(new Set(outcomes).size).toBe(1);
        expect(outcomes[0]).toMatch(/^(answer 503 fault_injected|error (ECONNRESET|ETIMEDOUT))$/);
        seen.add(outcomes[0]);
      }
      expect(seen.size).toBe(3);
      expect(sent.every((p) => p === 'POST /batch')).toBe(true);
    } finally {
      await clearRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN);
    }
  });
});
