import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { Agent, request } from 'node:http';
import { RecipientStatement, SIGNATURE_HEADER } from '@gc/contracts';
import { freePort } from '../../test/support/free-port';
import { RELAY_TEST_ADMIN_TOKEN } from '../../test/support/relay-admin';
import { startService } from '../../test/support/service-process';
import { dropKeys, uniqueSuffix } from '../../test/support/test-isolation';
import { cpuSeconds } from '../measure/cpu-time';
import { summariseCpuProfiles } from '../profile/cpu-profile-summary';
import { cpuProfileEnv } from '../system/bench-system';

/**
 * The relay's own CPU per request, by operation, with nothing else in the path:
 * `node dist/bench/probes/relay-requests.js [N=3000] [callers=16]` (after `npm run build`). One relay
 * on the shared Redis (its own key prefix, dropped after); N creates, N sends to those queues, N acks
 * of those messages, from `callers` keep-alive sockets; signatures made before the clock starts, so
 * the figures are the relay's request path (HTTP, routing, body parsing, validation, the Ed25519
 * verify, the Redis script) and nothing of the caller's. PROBE_PROFILE=<dir>: the relay runs under
 * the V8 profiler and its profile is summarised at the end.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

interface Answer {
  status: number;
  body: string;
}

function call(agent: Agent, port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inParallel<T>(items: T[], callers: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < items.length) await each(items[next++]);
  }));
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const callers = Number(process.argv[3] ?? 16);
  const name = `probe-relay-${uniqueSuffix()}`;
  const profileDir = process.env.PROBE_PROFILE;
  const relay = await startService('relay', name, await freePort(), {
    RELAY_REDIS_URL: REDIS_URL,
    RELAY_NAME: name,
    RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN,
    ...(profileDir ? cpuProfileEnv(profileDir) : {}),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: callers });
  try {
    const keys: KeyObject[] = [];
    const creates = Array.from({ length: n }, (_, i) => {
      const pair = generateKeyPairSync('ed25519');
      keys.push(pair.privateKey);
      const raw = JSON.stringify({ recipientKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), idempotencyKey: `${name}-${i}` });
      return { i, raw, signature: sign(null, Buffer.from(raw), pair.privateKey).toString('base64') };
    });
    const queues: Array<{ recipientId: string; senderId: string }> = new Array(n);
    const op = async (what: string, items: number[], each: (i: number) => Promise<Answer>, ok: number) => {
      const before = cpuSeconds(relay.child.pid);
      const started = process.hrtime.bigint();
      await inParallel(items, callers, async (i) => {
        const answer = await each(i);
        if (answer.status !== ok) throw new Error(`${what} ${i}: ${answer.status} ${answer.body}`);
      });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const cpuMs = (cpuSeconds(relay.child.pid) - before) * 1000;
      console.log(`${what.padEnd(7)} ${(cpuMs / items.length).toFixed(3)} relay CPU ms per request, ${((items.length / wallMs) * 1000).toFixed(0)} requests/s`);
    };
    const all = creates.map((c) => c.i);
    // Warm-up: the first requests pay for lazy compilation.
    const warm = all.slice(0, Math.min(200, n));
    await inParallel(warm, callers, async (i) => {
      const a = await call(agent, relay.port, 'POST', '/queues', creates[i].raw, { [SIGNATURE_HEADER]: creates[i].signature });
      queues[i] = JSON.parse(a.body);
    });
    const rest = all.slice(warm.length);
    await op('create', rest, async (i) => {
      const a = await call(agent, relay.port, 'POST', '/queues', creates[i].raw, { [SIGNATURE_HEADER]: creates[i].signature });
      if (a.status === 201) queues[i] = JSON.parse(a.body);
      return a;
    }, 201);
    const sends = all.map((i) => JSON.stringify({ msgId: `m${i}`, body: 'x'.repeat(600) }));
    await op('send', all, (i) => call(agent, relay.port, 'POST', `/queues/${queues[i].senderId}/messages`, sends[i]), 201);
    const acks = all.map((i) => sign(null, Buffer.from(RecipientStatement.ack(queues[i].recipientId, `m${i}`)), keys[i]).toString('base64'));
    await op('ack', all, (i) => call(agent, relay.port, 'DELETE', `/queues/${queues[i].recipientId}/messages/m${i}`, undefined, { [SIGNATURE_HEADER]: acks[i] }), 204);
  } finally {
    agent.destroy();
    await relay.stop();
    await dropKeys(REDIS_URL, `relay:${name}:*`);
  }
  if (profileDir) {
    for (const p of summariseCpuProfiles(profileDir, 25)) console.log(JSON.stringify(p, null, 1));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
