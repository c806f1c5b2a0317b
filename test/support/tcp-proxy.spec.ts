import { createServer, connect, Server, Socket } from 'node:net';
import { eventually } from './eventually';
import { startTcpProxy, TcpProxy } from './tcp-proxy';

/** The proxy itself: the frozen-network fault tests are only as good as its modes. */
describe('TcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  const open: Socket[] = [];

  beforeAll(async () => {
    echo = createServer((s) => {
      s.on('error', () => undefined); // reset by the proxy on purpose
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const port = (echo.address() as { port: number }).port;
    proxy = await startTcpProxy({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    for (const s of open) s.destroy();
    await proxy.stop();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  const client = async () => {
    const s = connect(proxy.port, '127.0.0.1');
    open.push(s);
    const received: string[] = [];
    s.on('data', (d) => received.push(d.toString()));
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.once('connect', () => r()));
    return { s, received, closed: new Promise<void>((r) => s.once('close', () => r())) };
  };
  const echoed = async (c: { s: Socket; received: string[] }, text: string) => {
    c.s.write(text);
    await eventually(() => c.received.join('').includes(text), { timeoutMs: 2_000, what: `echo of ${text}` });
  };

  it('passes bytes, freezes live sockets for good while new ones pass, black-holes new ones, resets', async () => {
    const live = await client();
    await echoed(live, 'a');
    proxy.setMode('freeze');
    live.s.write('frozen');
    const fresh = await client();
    await echoed(fresh, 'b'); // new sockets pass while live ones are frozen
    expect(live.received.join('')).toBe('a'); // the echo of "frozen" never arrives
    expect(live.s.destroyed).toBe(false); // and the socket stays open

    proxy.setMode('black-hole');
    const holed = await client(); // accepted (connect succeeds) ...
    holed.s.write('lost');
    await echoed(fresh, 'c'); // ... while the live socket still passes
    proxy.setMode('pass');
    await echoed(fresh, 'd');
    expect(holed.received).toEqual([]); // ... never forwarded, even after pass
    expect(live.received.join('')).toBe('a');

    proxy.setMode('reset');
    await Promise.all([fresh.closed, live.closed, holed.closed]);
    proxy.setMode('pass');
    await echoed(await client(), 'e');
    expect(proxy.url('redis://127.0.0.1:6379/1')).toBe(`redis://127.0.0.1:${proxy.port}/1`);
    expect(proxy.url('http://127.0.0.1:4000')).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxy.url('postgres://postgres@127.0.0.1:5432/db_x')).toBe(`postgres://postgres@127.0.0.1:${proxy.port}/db_x`);
  });
});
