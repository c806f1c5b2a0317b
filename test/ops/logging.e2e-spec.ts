import { readFileSync } from 'node:fs';
import { freePort } from '../support/free-port';
import { eventually } from '../support/eventually';
import { ServiceProcess, startService } from '../support/service-process';
import { createTestDatabase, dropKeys, SHARED_REDIS_URL, TestDatabase, testQueuePrefix } from '../support/test-isolation';

/**
 * The shared logger (libs/observability) in the built apps: LOG_FORMAT picks pretty single lines or
 * JSON, and credentials never reach a log, even with every request logged (LOG_LEVEL=debug).
 */
describe('logs: format and redaction', () => {
  const prefix = testQueuePrefix('logging');
  let db: TestDatabase;
  const started: ServiceProcess[] = [];
  const logOf = (s: ServiceProcess, from: number) => readFileSync(s.logFile, 'utf8').slice(from);
  const sizeOf = (s: ServiceProcess) => {
    try {
      return readFileSync(s.logFile, 'utf8').length;
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('logging');
  });
  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
    await dropKeys(SHARED_REDIS_URL, `${prefix}*`);
    await db?.drop();
  });

  it('LOG_FORMAT=pretty: one plain-text line per entry (time, level, context, message); LOG_FORMAT=json: one JSON object per line', async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, NO_COLOR: '1' };
    const pretty = await startService('relay', 'logging-relay-pretty', await freePort(), { ...env, LOG_FORMAT: 'pretty', RELAY_NAME: 't-logging-pretty' });
    started.push(pretty);
    const json = await startService('relay', 'logging-relay-json', await freePort(), { ...env, LOG_FORMAT: 'json', RELAY_NAME: 't-logging-json' });
    started.push(json);

    const prettyLine = logOf(pretty, 0).split('\n').find((l) => l.includes('Nest application successfully started'));
    expect(prettyLine).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[NestApplication\] Nest application successfully started/);
    expect(prettyLine).not.toContain('\x1b['); // NO_COLOR
    const jsonLine = logOf(json, 0).split('\n').find((l) => l.includes('Nest application successfully started'));
    expect(JSON.parse(jsonLine!)).toMatchObject({ level: 30, context: 'NestApplication', msg: 'Nest application successfully started' });
  });

  it('logs a request with its headers but never the credentials in them: authorization is [redacted]', async () => {
    const chat = await startService('chat', 'logging-chat', await freePort(), {
      REDIS_URL: SHARED_REDIS_URL,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'debug', // every request logged, headers included
      LOG_FORMAT: 'json',
      BULL_BOARD_PASSWORD: 'board-secret-not-for-logs',
    });
    started.push(chat);
    const from = sizeOf(chat);
    const credentials = Buffer.from('admin:board-secret-not-for-logs').toString('base64');

    const res = await fetch(`${chat.url}/queues`, { headers: { authorization: `Basic ${credentials}`, 'x-probe': 'logging-spec' } });
    await res.arrayBuffer();

    const line = await eventually(() => logOf(chat, from).split('\n').find((l) => l.includes('"x-probe":"logging-spec"')), {
      timeoutMs: 10_000,
      what: 'the request log line',
    });
    expect(JSON.parse(line).req.headers.authorization).toBe('[redacted]');
    expect(logOf(chat, 0)).not.toContain(credentials);
    expect(logOf(chat, 0)).not.toContain('board-secret-not-for-logs');

    // A user's calls: neither its token nor its userId reaches a log line, not even at debug.
    const created = await fetch(`${chat.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Logged' }) });
    const { userId, token } = (await created.json()) as { userId: string; token: string };
    const groups = await fetch(`${chat.url}/users/${userId}/groups?limit=5`, { headers: { authorization: `Bearer ${token}`, 'x-probe': 'logging-user' } });
    expect(groups.status).toBe(200);
    await groups.arrayBuffer();
    const userLine = await eventually(() => logOf(chat, from).split('\n').find((l) => l.includes('"x-probe":"logging-user"')), { timeoutMs: 10_000, what: "the user's request log line" });
    expect(JSON.parse(userLine).req.url).toBe('/users/:id/groups');
    expect(logOf(chat, 0)).not.toContain(token);
    expect(logOf(chat, 0)).not.toContain(userId);
  });
});
