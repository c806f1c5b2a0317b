import { createServer, Server, Socket, connect } from 'node:net';

/**
 * What the proxy does with bytes:
 * - `pass`: forwards both ways;
 * - `freeze`: live sockets stay open and pass nothing more (a NAT or load balancer that dropped its
 *   state, a partition); new ones pass;
 * - `black-hole`: live sockets as they are, new sockets are accepted and never forwarded (nor closed);
 * - `freeze-all`: both of the above at once — the shape of the measurement;
 * - `reset`: every live socket and every new one is reset (a fast failure, for comparison).
 */
export type ProxyMode = 'pass' | 'freeze' | 'black-hole' | 'freeze-all' | 'reset';

export interface TcpProxy {
  port: number;
  /** `scheme://127.0.0.1:<proxy port><rest>` for a URL whose host:port is the target's. */
  url(targetUrl: string): string;
  mode(): ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Sockets accepted since start, and those still open. */
  stats(): { accepted: number; open: number };
  stop(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  frozen: boolean;
}

/**
 * A TCP proxy of our own on a free loopback port, in front of one target (Redis, Postgres, a relay),
 * so a test can make a connection go silent without closing it — which no process kill, FLUSHDB or
 * pg_terminate_backend can do. Frozen bytes are dropped, not buffered: a frozen socket never
 * delivers what was sent into it.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let current: ProxyMode = 'pass';
  const pairs = new Set<Pair>();
  let accepted = 0;

  const destroy = (pair: Pair, reset: boolean) => {
    if (reset) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    } else {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    pairs.delete(pair);
  };

  const server: Server = createServer((client) => {
    accepted++;
    const pair: Pair = { client, upstream: null, frozen: false };
    pairs.add(pair);
    client.on('error', () => destroy(pair, false));
    client.on('close', () => destroy(pair, false));
    if (current === 'reset') return destroy(pair, true);
    if (current === 'black-hole' || current === 'freeze-all') {
      // Accepted, never forwarded: the socket stays frozen for good, as a black-holed SYN-ACK would.
      pair.frozen = true;
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => destroy(pair, false));
    upstream.on('close', () => destroy(pair, false));
    client.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url(targetUrl: string) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      const proxied = u.toString();
      return !targetUrl.endsWith('/') && proxied.endsWith('/') ? proxied.slice(0, -1) : proxied;
    },
    mode: () => current,
    setMode(mode: ProxyMode) {
      current = mode;
      if (mode === 'freeze' || mode === 'freeze-all') for (const p of pairs) p.frozen = true;
      if (mode === 'reset') for (const p of [...pairs]) destroy(p, true);
      // `pass` and `black-hole` leave live sockets as they are: a frozen socket stays frozen for good.
    },
    stats: () => ({ accepted, open: pairs.size }),
    async stop() {
      for (const p of [...pairs]) destroy(p, false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
