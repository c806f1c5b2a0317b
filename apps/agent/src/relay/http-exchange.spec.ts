import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { classifyError } from '../retry/error-classification';
import { exchange, KeepAlivePool } from './http-exchange';
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
        res.write('{"partial":');
        setTimeout(() => req.socket.destroy(), 20);
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
