import diagnostics from 'node:diagnostics_channel';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { classifyError } from '../retry/error-classification';
import { exchange, FAILED_REQUEST_PAUSE_MS, HEDGE_CHANNEL, HedgeBudget, HedgeEvent, KeepAlivePool, MAX_EXCHANGE_REQUESTS } from './http-exchange';
import { RelayUnreachable } from './relay-unreachable';

describe('exchange', () => {
  let server: Server;
  let url: string;
  const pool = new KeepAlivePool(4);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body })));
      } else if (req.url === '/reset') {
        req.socket.destroy();
      } else if (req.url === '/half') {
        // Headers and part of the body, then the socket drops.
        res.writeHead(200, { 'content-length': '100' });
        // Dropped once that part is flushed to the socket, so the client has seen the headers.
        res.write('{"partial":', () => req.socket.destroy());
      } else if (req.url === '/slow-body') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"never":');
      }
      // '/stall': never answers.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    pool.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers status and whole body, reusing a kept-alive socket', async () => {
    const a = await exchange(pool, `${url}/ok`, { method: 'POST', body: 'héllo', timeoutMs: 1_000 });
    expect(a).toEqual({ status: 201, text: JSON.stringify({ echo: 'héllo' }) });
    const b = await exchange(pool, `${url}/ok`, { method: 'POST', body: 'again', timeoutMs: 1_000 });
    expect(b.status).toBe(201);
  });

  it.each(['/stall', '/slow-body'])('bounds the whole exchange by one timeout (%s): transient', async (path) => {
    const started = Date.now();
    const err = await exchange(pool, `${url}${path}`, { method: 'GET', timeoutMs: 200 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(classifyError(new RelayUnreachable('r', 'send', err)).kind).toBe('transient');
  });

  it.each(['/reset', '/half'])('rejects a socket dropped before the answer ended (%s): transient', async (path) => {
    const err = await exchange(pool, `${url}${path}`, { method: 'GET', timeoutMs: 2_000 }).catch((e: unknown) => e);
    // Node's own errors come from another realm under jest: compare by code, not instanceof.
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    expect(classifyError(new RelayUnreachable('r', 'send', err))).toMatchObject({ kind: 'transient' });
  });
});

describe('exchange with a hedge', () => {
  let server: Server;
  let url: string;
  const pool = new KeepAlivePool(8);
  /** Per path: the requests that arrived, in order (each test uses its own path). */
  const arrivals = new Map<string, Array<{ req: IncomingMessage; res: ServerResponse }>>();
  let behave: (path: string, nth: number, req: IncomingMessage, res: ServerResponse, earlier: Array<{ req: IncomingMessage; res: ServerResponse }>) => void;
  const hedges: HedgeEvent[] = [];
  const onHedge = (m: unknown) => hedges.push(m as HedgeEvent);

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      const seen = arrivals.get(path) ?? [];
      seen.push({ req, res });
      arrivals.set(path, seen);
      behave(path, seen.length, req, res, seen.slice(0, -1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    diagnostics.subscribe(HEDGE_CHANNEL, onHedge);
  });

  beforeEach(() => (hedges.length = 0));

  afterAll(async () => {
    diagnostics.unsubscribe(HEDGE_CHANNEL, onHedge);
    pool.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const closed = (req: IncomingMessage) => new Promise<void>((r) => (req.socket.destroyed ? r() : req.socket.once('close', () => r())));

  it('answers from the hedge when the first request stalls, and destroys the stalled one', async () => {
    // The first is held (a stall); the second is answered at once.
    behave = (_path, nth, _req, res) => {
      if (nth === 2) res.writeHead(200).end('{"from":"hedge"}');
    };
    const started = Date.now();
    const answer = await exchange(pool, `${url}/stall-first`, { method: 'POST', body: '{}', timeoutMs: 5_000, hedgeMs: 100 });
    const elapsed = Date.now() - started;
    expect(answer).toEqual({ status: 200, text: '{"from":"hedge"}' });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(600);
    expect(hedges).toEqual([
      { url: `${url}/stall-first`, outcome: 'sent' },
      { url: `${url}/stall-first`, outcome: 'won' },
    ]);
    // The stalled request's socket is closed by the client, not left to the timeout.
    await closed(arrivals.get('/stall-first')![0].req);
  });

  it('takes the first answer when it comes after the hedge was sent, and destroys the hedge', async () => {
    // The hedge's arrival releases the first request's answer; the hedge itself is held.
    behave = (_path, nth, _req, _res, earlier) => {
      if (nth === 2) earlier[0].res.writeHead(201).end('{"from":"first"}');
    };
    const answer = await exchange(pool, `${url}/first-late`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 50 });
    expect(answer).toEqual({ status: 201, text: '{"from":"first"}' });
    expect(hedges.map((h) => h.outcome)).toEqual(['sent']);
    await closed(arrivals.get('/first-late')![1].req);
  });

  it('waits for the hedge when the first request fails after the hedge was sent', async () => {
    behave = (_path, nth, _req, res, earlier) => {
      if (nth === 2) {
        earlier[0].req.socket.destroy();
        // Answered only once the client saw the first one fail.
        earlier[0].req.socket.once('close', () => res.writeHead(200).end('{}'));
      }
    };
    const answer = await exchange(pool, `${url}/first-fails-late`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 50 });
    expect(answer.status).toBe(200);
  });

  it('replaces a hedge that fails while the first request stalls: the third request answers, long before the timeout', async () => {
    // The relay fault that used to cost the whole timeout: the first held, the hedge refused at once.
    behave = (_path, nth, _req, res) => {
      if (nth === 2) res.writeHead(503).end('hedge refused');
      if (nth === 3) res.writeHead(200).end('{"from":"third"}');
    };
    const started = Date.now();
    const answer = await exchange(pool, `${url}/stall-then-503`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 50 });
    expect(answer).toEqual({ status: 200, text: '{"from":"third"}' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(arrivals.get('/stall-then-503')).toHaveLength(3);
    expect(hedges.map((h) => h.outcome)).toEqual(['sent', 'sent', 'won']);
    await closed(arrivals.get('/stall-then-503')![0].req);
  });

  it(`sends no more than ${MAX_EXCHANGE_REQUESTS} requests: the first held, the others refused, it ends at the timeout`, async () => {
    behave = (_path, nth, _req, res) => {
      if (nth >= 2) res.writeHead(503).end(`refused ${nth}`);
    };
    const err = await exchange(pool, `${url}/stall-then-refusals`, { method: 'GET', timeoutMs: 400, hedgeMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(arrivals.get('/stall-then-refusals')).toHaveLength(MAX_EXCHANGE_REQUESTS);
  });

  it('abandons the older of two stalled requests for a fresh one, which answers long before the timeout', async () => {
    // Two stalls in a row: the first and its hedge held, the third answered once the first is closed
    // (abandoned by the client: never more than two in flight).
    behave = (_path, nth, _req, res, earlier) => {
      if (nth === 3) void closed(earlier[0].req).then(() => res.writeHead(200).end('{"from":"third"}'));
    };
    const started = Date.now();
    const answer = await exchange(pool, `${url}/two-stalls`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 100 });
    expect(answer).toEqual({ status: 200, text: '{"from":"third"}' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(arrivals.get('/two-stalls')).toHaveLength(3);
    expect(hedges.map((h) => h.outcome)).toEqual(['sent', 'sent', 'won']);
    await closed(arrivals.get('/two-stalls')![1].req); // the hedge, destroyed once the third answered
  });

  it('rejects with the last error when every request it may send fails', async () => {
    // The hedge's arrival resets both sockets; the replacement is reset on arrival.
    behave = (_path, nth, req, _res, earlier) => {
      if (nth === 2) {
        earlier[0].req.socket.destroy();
        req.socket.destroy();
      }
      if (nth >= 3) req.socket.destroy();
    };
    const err = await exchange(pool, `${url}/all-fail`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    expect(classifyError(new RelayUnreachable('r', 'send', err)).kind).toBe('transient');
    expect(arrivals.get('/all-fail')).toHaveLength(MAX_EXCHANGE_REQUESTS);
  });

  it('answers the last 5xx when every request gets one (classified by the caller as today)', async () => {
    behave = (_path, nth, _req, res, earlier) => {
      if (nth === 2) {
        earlier[0].res.writeHead(503).end('first');
        earlier[0].res.once('finish', () => res.writeHead(503).end('second'));
      }
      if (nth === 3) res.writeHead(503).end('third');
      if (nth === 4) res.writeHead(503).end('fourth');
    };
    const answer = await exchange(pool, `${url}/all-503`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 50 });
    // Each replacement is sent only once the client saw a failure, after 'second' and 'third' were on their way.
    expect(answer).toEqual({ status: 503, text: 'fourth' });
    expect(arrivals.get('/all-503')).toHaveLength(MAX_EXCHANGE_REQUESTS);
  });

  it('bounds every request by one timeout from the first send', async () => {
    behave = () => undefined; // All held: a hedge at 100 ms, the first abandoned for a third at 200 ms, no time for a fourth.
    const started = Date.now();
    const err = await exchange(pool, `${url}/both-stall`, { method: 'GET', timeoutMs: 300, hedgeMs: 100 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', message: 'no complete answer within 300 ms' });
    expect(arrivals.get('/both-stall')).toHaveLength(3);
    await Promise.all(arrivals.get('/both-stall')!.map(({ req }) => closed(req)));
  });

  it(`replaces a request that fails before its hedge time ${FAILED_REQUEST_PAUSE_MS} ms after the failure: not at once, not at the hedge time`, async () => {
    // A relay's fast 503 (or a reset): another request after a short pause.
    behave = (_path, nth, _req, res) => (nth === 1 ? res.writeHead(503).end('refused') : res.writeHead(200).end('{"from":"second"}'));
    const started = Date.now();
    const answer = await exchange(pool, `${url}/fails-fast`, { method: 'GET', timeoutMs: 10_000, hedgeMs: 3_000 });
    expect(answer).toEqual({ status: 200, text: '{"from":"second"}' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAILED_REQUEST_PAUSE_MS - 5);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(arrivals.get('/fails-fast')).toHaveLength(2);
    expect(hedges.map((h) => h.outcome)).toEqual(['sent', 'won']);
  });

  it(`rejects with the last error when every request fails fast: ${MAX_EXCHANGE_REQUESTS} requests, a pause apart`, async () => {
    const times: number[] = [];
    behave = (_path, _nth, req) => {
      times.push(Date.now());
      req.socket.destroy();
    };
    const err = await exchange(pool, `${url}/reset-always`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    expect(arrivals.get('/reset-always')).toHaveLength(MAX_EXCHANGE_REQUESTS);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(FAILED_REQUEST_PAUSE_MS - 5);
  });

  it('does not replace a refused connection: nothing listens there, the retry policy decides', async () => {
    const closedServer = createServer();
    await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
    const port = (closedServer.address() as AddressInfo).port;
    await new Promise((r) => closedServer.close(r));
    const err = await exchange(pool, `http://127.0.0.1:${port}/nobody`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    expect(hedges).toEqual([]);
  });

  it('replaces a fast failure without room in the budget: the replacement adds nothing in flight', async () => {
    behave = (_path, nth, _req, res) => (nth === 1 ? res.writeHead(503).end('refused') : res.writeHead(200).end('{"from":"second"}'));
    const full = new HedgeBudget(0);
    const answer = await exchange(pool, `${url}/fails-over-budget`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 100, budget: full });
    expect(answer).toEqual({ status: 200, text: '{"from":"second"}' });
    expect(arrivals.get('/fails-over-budget')).toHaveLength(2);
  });

  it('replaces a late request that then fails, though the budget had no room for its hedge', async () => {
    // Late past its hedge time, its hedge refused by the full budget, then reset (when the budget said no):
    // the replacement adds nothing in flight.
    behave = (_path, nth, _req, res) => {
      if (nth >= 2) res.writeHead(200).end('{"from":"second"}');
    };
    const full = new (class extends HedgeBudget {
      override tryAcquire(): boolean {
        const granted = super.tryAcquire();
        arrivals.get('/late-then-fails')?.[0].req.socket.destroy();
        return granted;
      }
    })(0);
    const answer = await exchange(pool, `${url}/late-then-fails`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 100, budget: full });
    expect(answer).toEqual({ status: 200, text: '{"from":"second"}' });
    expect(arrivals.get('/late-then-fails')).toHaveLength(2);
  });

  it('hedges no more requests at once than its budget allows; the others wait as without hedging', async () => {
    // Per path, the first request is held (a stall) and a second one (the hedge) answered once both
    // exchanges have asked the budget: answered sooner, the first hedge could release the budget
    // before the other exchange's hedge time comes (timers late under load), which would then
    // rightly hedge too — the budget bounds hedges at once, not in all.
    let asked = 0;
    let bothAsked: () => void = () => undefined;
    const bothAskedNow = new Promise<void>((resolve) => (bothAsked = resolve));
    const budget = new (class extends HedgeBudget {
      override tryAcquire(): boolean {
        if (++asked === 2) bothAsked();
        return super.tryAcquire();
      }
    })(1);
    behave = (_path, nth, _req, res) => {
      if (nth >= 2) void bothAskedNow.then(() => res.writeHead(200).end('hedge'));
    };
    const answers = ['/budget-a', '/budget-b'].map((path) =>
      exchange(pool, `${url}${path}`, { method: 'GET', timeoutMs: 400, hedgeMs: 50, budget }).catch((e: unknown) => e),
    );
    const [a, b] = await Promise.all(answers);
    const outcomes = [a, b].map((x) => (x instanceof Error ? 'timeout' : (x as { text: string }).text));
    expect(outcomes.sort()).toEqual(['hedge', 'timeout']);
    expect(hedges.filter((h) => h.outcome === 'sent')).toHaveLength(1);
    // Released when its exchange settled: the next late request may hedge again.
    expect(budget.tryAcquire()).toBe(true);
    budget.release();
  });

  it('sends no hedge when the answer is fast', async () => {
    behave = (_path, _nth, _req, res) => res.writeHead(204).end();
    for (let i = 0; i < 5; i++) {
      expect(await exchange(pool, `${url}/fast`, { method: 'DELETE', timeoutMs: 5_000, hedgeMs: 200 })).toEqual({ status: 204, text: '' });
    }
    expect(arrivals.get('/fast')).toHaveLength(5);
    expect(hedges).toEqual([]);
  });
});
