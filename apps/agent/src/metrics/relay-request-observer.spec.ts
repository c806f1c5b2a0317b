import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadAgentConfig } from '../config/agent-config';
import { exchange, KeepAlivePool } from '../relay/http-exchange';
import { AgentMetrics } from './agent-metrics';
import { RelayRequestObserver } from './relay-request-observer';

describe('RelayRequestObserver: hedges', () => {
  let server: Server;
  let relay: string;
  const pool = new KeepAlivePool(4);
  const metrics = new AgentMetrics();
  let observer: RelayRequestObserver;

  beforeAll(async () => {
    // Per path: the first request is held until the second arrives; '/won' then answers the second, '/lost' the first.
    const held = new Map<string, ServerResponse>();
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const first = held.get(req.url ?? '');
      if (first === undefined) return void held.set(req.url ?? '', res);
      (req.url === '/won' ? res : first).writeHead(200).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    relay = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    observer = new RelayRequestObserver(loadAgentConfig({ RELAY_URLS: relay }), metrics);
    observer.onModuleInit();
  });

  afterAll(async () => {
    observer.onModuleDestroy();
    pool.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('counts hedges sent and hedges that won, by relay', async () => {
    await exchange(pool, `${relay}/won`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 20 });
    await exchange(pool, `${relay}/lost`, { method: 'GET', timeoutMs: 5_000, hedgeMs: 20 });
    const value = async (counter: typeof metrics.relayHedgesSent) => (await counter.get()).values.find((v) => v.labels.relay === relay)?.value;
    expect(await value(metrics.relayHedgesSent)).toBe(2);
    expect(await value(metrics.relayHedgesWon)).toBe(1);
  });
});
