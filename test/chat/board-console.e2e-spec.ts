import { request } from 'node:http';
import { freePort } from '../support/free-port';
import { ServiceProcess, startService } from '../support/service-process';
import { createTestDatabase, dropKeys, SHARED_REDIS_URL, TestDatabase, testQueuePrefix } from '../support/test-isolation';

const USER = 'ops';
const PASSWORD = 'board-console-password';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** One request to the chat, from a chosen loopback address (the failed-login limit is per client address). */
function call(base: string, method: string, path: string, opts: { authorization?: string; from?: string; body?: unknown } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {};
    if (opts.authorization) headers.authorization = opts.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${base}${path}`, { method, headers, localAddress: opts.from ?? '127.0.0.1', agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Bull Board's action endpoints (bull-board 9: @bull-board/api routes), for a queue and one of its jobs. */
const actions = (q: string, job: string): Array<[string, string, unknown?]> => [
  ['POST', `/queues/api/queues/${q}/add`, { name: 'CREATE', data: { forged: true } }],
  ['PUT', `/queues/api/queues/${q}/retry/failed`],
  ['PUT', `/queues/api/queues/${q}/promote`],
  ['PUT', `/queues/api/queues/${q}/clean/completed`],
  ['PUT', `/queues/api/queues/${q}/pause`],
  ['PUT', `/queues/api/queues/${q}/empty`],
  ['PUT', `/queues/api/queues/${q}/obliterate`],
  ['PUT', '/queues/api/queues/pause'],
  ['PUT', `/queues/api/queues/${q}/${job}/retry`],
  ['PUT', `/queues/api/queues/${q}/${job}/promote`],
  ['PUT', `/queues/api/queues/${q}/${job}/clean`],
  ['PATCH', `/queues/api/queues/${q}/${job}/update-data`, { data: { forged: true } }],
];

describe('Bull Board as an operator console that cannot rewrite history', () => {
  const dbs: TestDatabase[] = [];
  const chats: ServiceProcess[] = [];
  const prefixes: string[] = [];
  let readOnly: ServiceProcess;
  let writable: ServiceProcess;

  async function chatWith(label: string, env: Record<string, string>): Promise<ServiceProcess> {
    const db = await createTestDatabase(label);
    dbs.push(db);
    const prefix = testQueuePrefix(label);
    prefixes.push(prefix);
    const chat = await startService('chat', `${label}-chat`, await freePort(), {
      REDIS_URL: SHARED_REDIS_URL,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: db.url,
      BULL_BOARD_USER: USER,
      BULL_BOARD_PASSWORD: PASSWORD,
      ...env,
    });
    chats.push(chat);
    return chat;
  }

  /** With no agent running, a contact invitation's CREATE job waits in agent-commands: a job to act on. */
  async function waitingJob(chat: ServiceProcess): Promise<{ queue: string; jobId: string }> {
    const user = await call(chat.url, 'POST', '/users', { body: { displayName: 'Alice' } });
    const bearer = `Bearer ${user.body.token}`;
    const created = await call(chat.url, 'POST', `/users/${user.body.userId}/invitations`, { authorization: bearer });
    expect(created.status).toBe(202);
    const [command] = (await call(chat.url, 'GET', `/users/${user.body.userId}/commands`, { authorization: bearer })).body as Array<{ corrId: string }>;
    const queues = (await call(chat.url, 'GET', '/queues/api/queues', { authorization: basic(USER, PASSWORD) })).body.queues as Array<{ name: string }>;
    const queue = queues.map((q) => q.name).find((n) => n.includes('agent-commands'))!;
    return { queue, jobId: command.corrId };
  }

  beforeAll(async () => {
    [readOnly, writable] = await Promise.all([
      chatWith('board-ro', { BULL_BOARD_MAX_FAILED_LOGINS: '3' }),
      chatWith('board-rw', { BULL_BOARD_READ_ONLY: 'false' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled(chats.map((c) => c.stop()));
    await Promise.allSettled(prefixes.map((p) => dropKeys(SHARED_REDIS_URL, `${p}*`)));
    await Promise.allSettled(dbs.map((d) => d.drop()));
  });

  it('is read-only by default: every action endpoint answers 4xx and the job is untouched', async () => {
    const { queue, jobId } = await waitingJob(readOnly);
    const auth = basic(USER, PASSWORD);
    const before = await call(readOnly.url, 'GET', `/queues/api/queues/${queue}/${jobId}`, { authorization: auth });
    expect(before.status).toBe(200);
    for (const [method, path, body] of actions(queue, jobId)) {
      const answer = await call(readOnly.url, method, path, { authorization: auth, body });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 403 });
      expect(answer.body).toEqual({ error: 'read_only', message: expect.stringContaining('BULL_BOARD_READ_ONLY=false') });
    }
    const after = await call(readOnly.url, 'GET', `/queues/api/queues/${queue}/${jobId}`, { authorization: auth });
    expect(after.body.job).toEqual(before.body.job);
    // Reads still work, and the board tells its UI it is read-only (no action buttons).
    const queues = await call(readOnly.url, 'GET', '/queues/api/queues', { authorization: auth });
    expect(queues.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
  });

  it('with BULL_BOARD_READ_ONLY=false the same endpoints act (so the 403s above are the read-only switch)', async () => {
    const { queue } = await waitingJob(writable);
    const auth = basic(USER, PASSWORD);
    expect((await call(writable.url, 'PUT', `/queues/api/queues/${queue}/pause`, { authorization: auth })).status).toBe(200);
    expect((await call(writable.url, 'PUT', `/queues/api/queues/${queue}/resume`, { authorization: auth })).status).toBe(200);
  });

  it('limits failed logins per client address with a clear 429, and keeps serving other addresses', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await call(readOnly.url, 'GET', '/queues/api/queues', { authorization: basic(USER, `guess-${i}`), from: '127.0.0.3' })).status).toBe(401);
    }
    // Blocked now, even with the right password: guessing cannot continue at network speed.
    const blocked = await call(readOnly.url, 'GET', '/queues/api/queues', { authorization: basic(USER, PASSWORD), from: '127.0.0.3' });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ error: 'too_many_requests', message: expect.stringMatching(/too many failed Bull Board logins/) });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(readOnly.url, 'GET', '/queues/api/queues', { authorization: basic(USER, PASSWORD), from: '127.0.0.4' })).status).toBe(200);
  });
});
