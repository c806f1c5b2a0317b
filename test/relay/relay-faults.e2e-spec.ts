import { readFileSync } from 'node:fs';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { RELAY_TEST_ADMIN_TOKEN, clearRelayFaults, setRelayFaults } from '../support/relay-admin';
import { startRedisServer } from '../support/redis-server-process';
import { openRelayStream } from '../support/relay-stream';
import { startService } from '../support/service-process';
import { dropRelayKeys, relayApi, startRelay, StartedRelay } from './relay-fixture';

type Outcome = 'ok' | 'unavailable' | 'reset' | 'stall' | 'other';

/** What a client sees for one request: an answer, a 503, a dropped connection, or no answer in time. */
async function attempt(url: string, init: RequestInit, timeoutMs = 400): Promise<{ outcome: Outcome; detail: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status === 503 && JSON.parse(text).error === 'fault_injected') return { outcome: 'unavailable', detail: text };
    return { outcome: res.status < 300 ? 'ok' : 'other', detail: `${res.status} ${text}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { outcome: 'stall', detail: e.message };
    const code = e.cause?.code ?? '';
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || /other side closed|socket/i.test(e.cause?.message ?? '')) {
      return { outcome: 'reset', detail: `${code} ${e.cause?.message}` };
    }
    return { outcome: 'other', detail: `${e.name} ${e.message} ${code}` };
  }
}

describe('relay fault injection', () => {
  let relay: StartedRelay;
  let api: ReturnType<typeof relayApi>;
  /** token null = no x-admin-token header. */
  const admin = (init: RequestInit = {}, token: string | null = RELAY_TEST_ADMIN_TOKEN) =>
    api.call(
      (init.method as string) ?? 'GET',
      '/admin/faults',
      init.body as string | undefined,
      token === null ? {} : { 'x-admin-token': token },
    );

  beforeAll(async () => {
    relay = await startRelay('relay-faults');
    api = relayApi(relay.url);
  });

  afterEach(async () => {
    await clearRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) await dropRelayKeys(relay.relayName);
  });

  it('refuses the admin API without the right x-admin-token (401)', async () => {
    for (const token of [null, '', 'wrong-token', `${RELAY_TEST_ADMIN_TOKEN}x`]) {
      const get = await admin({}, token);
      expect(get.status).toBe(401);
      expect(get.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
      expect((await admin({ method: 'PUT', body: JSON.stringify({ down: true }) }, token)).status).toBe(401);
    }
    // The refused PUT changed nothing.
    expect((await admin()).body).toEqual({ failureRate: 0, latencyMs: 0, down: false });
    expect((await api.call('GET', '/health')).status).toBe(200);
  });

  it('rejects bad fault values with 400 and merges good ones', async () => {
    const bad = [
      { failureRate: 1.5 },
      { failureRate: -0.1 },
      { failureRate: 'half' },
      { latencyMs: -1 },
      { latencyMs: 2.5 },
      { down: 'yes' },
      { downn: true },
    ];
    for (const body of bad) {
      const res = await admin({ method: 'PUT', body: JSON.stringify(body) });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual({ error: 'bad_request', message: expect.any(String) });
    }
    expect((await admin({ method: 'PUT', body: '{"failureRate":' })).status).toBe(400);
    expect((await admin()).body).toEqual({ failureRate: 0, latencyMs: 0, down: false });

    expect((await admin({ method: 'PUT', body: JSON.stringify({ latencyMs: 50 }) })).body).toEqual({ failureRate: 0, latencyMs: 50, down: false });
    expect((await admin({ method: 'PUT', body: JSON.stringify({ failureRate: 0.25 }) })).body).toEqual({ failureRate: 0.25, latencyMs: 50, down: false });
  });

  it('delays every request but /admin by latencyMs', async () => {
    await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, { latencyMs: 300 });
    const started = Date.now();
    expect((await api.call('GET', '/health')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('failureRate 1: 503 before acting, reset after acting, stalls; /admin keeps answering', async () => {
    const { recipientId, senderId } = (await api.createQueue()).body;
    await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, { failureRate: 1 });
    const outcomes = new Map<string, Outcome>();
    const details: string[] = [];
    for (let i = 0; i < 60; i++) {
      const seen = new Set(outcomes.values());
      if (i >= 9 && seen.has('unavailable') && seen.has('reset') && seen.has('stall')) break;
      const msgId = `f${i}`;
      const { outcome, detail } = await attempt(`${relay.url}/queues/${senderId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgId, body: `try ${i}` }),
      });
      outcomes.set(msgId, outcome);
      details.push(`${msgId}: ${outcome} ${detail}`);
    }
    const kinds = new Set(outcomes.values());
    expect({ kinds: [...kinds].sort(), details }).toEqual({ kinds: ['reset', 'stall', 'unavailable'], details });
    expect((await admin()).body).toEqual({ failureRate: 1, latencyMs: 0, down: false });
    // A stream cannot open either.
    await expect(openRelayStream(relay.url, { timeoutMs: 2_000 })).rejects.toThrow();

    await clearRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN);
    // Exactly the sends whose connection was reset took effect.
    const stored = [...outcomes].filter(([, o]) => o === 'reset').map(([id]) => id);
    await api.send(senderId, 'marker', 'end');
    const stream = await openRelayStream(relay.url);
    try {
      await api.subscribe(stream.sessionId, [recipientId]);
      await stream.waitFor((ev) => ev.some((e) => e.data.msgId === 'marker'), 'marker pushed');
      expect(stream.messages().map((m) => m.msgId)).toEqual([...stored, 'marker']);
    } finally {
      stream.close();
    }
  });

  it('down closes open streams and refuses new requests; clearing it restores service', async () => {
    const stream = await openRelayStream(relay.url);
    await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, { down: true });
    await eventually(() => stream.isEnded(), { timeoutMs: 5_000, what: 'open stream closed by down' });

    expect((await attempt(`${relay.url}/health`, {})).outcome).toBe('reset');
    expect((await attempt(`${relay.url}/queues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).outcome).toBe(
      'reset',
    );
    await expect(openRelayStream(relay.url, { timeoutMs: 2_000 })).rejects.toThrow();
    expect((await admin()).body.down).toBe(true);

    await setRelayFaults(relay.url, RELAY_TEST_ADMIN_TOKEN, { down: false });
    expect((await api.call('GET', '/health')).status).toBe(200);
    const again = await openRelayStream(relay.url);
    const { recipientId, senderId } = (await api.createQueue()).body;
    try {
      await api.subscribe(again.sessionId, [recipientId]);
      await api.send(senderId, 'back', 'up again');
      await again.waitFor((ev) => ev.some((e) => e.data.msgId === 'back'), 'push works after down');
    } finally {
      again.close();
    }
  });

  it('answers 503 on /health and 5xx {error} on requests while its Redis is away, without crashing', async () => {
    const redis = await startRedisServer();
    const r = await startRelay('relay-faults-redis', { redisUrl: redis.url(1) });
    try {
      const local = relayApi(r.url);
      expect((await local.createQueue()).status).toBe(201);
      await redis.stop();
      await eventually(async () => (await local.call('GET', '/health')).status === 503, { what: '/health 503 without Redis' });
      const res = await local.createQueue();
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String) });
      expect(r.child.exitCode).toBeNull();
    } finally {
      await r.stop();
    }
  });

  it('exits 1 with a clear message on bad env, and without RELAY_ADMIN_TOKEN in production', async () => {
    for (const [label, env, expected] of [
      ['relay-faults-prod', { NODE_ENV: 'production' }, /RELAY_ADMIN_TOKEN: required when NODE_ENV=production/],
      ['relay-faults-badenv', { LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    ] as const) {
      const service = await startService('relay', label, await freePort(), { ...env }, { waitHealthy: false });
      expect(await service.exited).toBe(1);
      await eventually(() => expected.test(readFileSync(service.logFile, 'utf8')), { timeoutMs: 2_000, what: `${label} log` });
    }
  });
});
