import { AgentEventOf } from '@gc/contracts';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AgentStack, startAgentStack } from '../support/agent-stack';
import { newConnId, newCorrId } from './chat-side';

/**
 * One of "our" relays (it is in RELAY_URLS) that answers every create with 200 and a body that is
 * not JSON: an error of no known kind (not a network error, timeout, 5xx, 408 or 429).
 */
async function garbledRelay(): Promise<{ server: Server; url: string; creates: () => number }> {
  let creates = 0;
  const server = createServer((req, res) => {
    if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (req.method === 'POST' && req.url === '/queues') creates++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('this is not JSON <html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, creates: () => creates };
}

describe('agent: an error of unknown kind is retried a bounded number of times, then fails with its reason', () => {
  let stack: AgentStack;
  let relay: Awaited<ReturnType<typeof garbledRelay>>;

  beforeAll(async () => {
    relay = await garbledRelay();
    stack = await startAgentStack({ label: 'agent-unknown-errors', relays: 0, env: { RELAY_URLS: relay.url, UNKNOWN_ERROR_ATTEMPTS: '3', RELAY_HEDGE_MS: '0' } });
  });
  afterAll(async () => {
    await stack?.stop();
    relay?.server.close();
  });

  it('CREATE against a relay whose answers make no sense: ERR UNKNOWN_FAILURE after exactly 3 attempts, no answer body in the reason', async () => {
    const corrId = newCorrId();
    await stack.send({ type: 'CREATE', corrId, userId: 'ursula', connId: newConnId() });
    const err = await stack.events.waitFor<AgentEventOf<'ERR'>>((e) => e.type === 'ERR' && e.corrId === corrId, 'ERR UNKNOWN_FAILURE');
    expect(err.error).toMatchObject({ code: 'UNKNOWN_FAILURE', permanent: true, message: expect.stringMatching(/after 3 attempts/) });
    expect(err.error.message).not.toContain('<html>');
    expect(relay.creates()).toBe(3);
    const [row] = await stack.query(`SELECT status, attempts, unknown_failures FROM agent.commands WHERE corr_id = $1`, [corrId]);
    expect(row).toEqual({ status: 'failed', attempts: 3, unknown_failures: 3 });
  });
});
