import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { RecipientStatement } from '@gc/contracts';
import { GroupSetup } from '../support/chat-stack';
import { RELAY_TEST_ADMIN_TOKEN } from '../support/relay-admin';
import { BOARD_PASSWORD, FaultStack } from './fault-stack';

const ROOT = join(__dirname, '..', '..');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: kept as text */
  }
  return { status: res.status, body };
}

/** A queue created as an agent does: owned by a fresh recipient key, the create signed with it. */
async function createQueue(relay: string): Promise<{ status: number; body: any; signAs: (statement: string) => string }> {
  const recipient = generateKeyPairSync('ed25519');
  const signAs = (text: string) => sign(null, Buffer.from(text), recipient.privateKey).toString('base64');
  const raw = JSON.stringify({ recipientKey: recipient.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
  const answer = await call(`${relay}/queues`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signAs(raw) }, body: raw });
  return { ...answer, signAs };
}

/** Ids carry no sequence: all distinct, and no two share their first 32 bits (a counter or clock would). */
function expectUnguessable(kind: string, ids: string[], bitsEach: (id: string) => number, minBits: number): void {
  expect(ids.length).toBeGreaterThan(3);
  expect(new Set(ids).size).toBe(ids.length);
  const heads = ids.map((id) => id.replace(/-/g, '').slice(0, 8));
  if (new Set(heads).size !== heads.length) throw new Error(`${kind} ids share a 32-bit head: a sequence? ${ids.slice(0, 5).join(', ')}`);
  for (const id of ids) if (bitsEach(id) < minBits) throw new Error(`${kind} id ${id} carries ${bitsEach(id)} random bits, fewer than ${minBits}`);
}

/** `npm audit --omit=dev --json`: high/critical counts, or why the audit could not run. */
export function runNpmAudit(): Promise<{ high: number; critical: number; total: number } | { unreachable: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      let report: any;
      try {
        report = JSON.parse(stdout);
      } catch {
        return resolve({ unreachable: `npm audit printed no JSON (${err?.message ?? ''} ${stderr.slice(0, 300)})` });
      }
      const v = report?.metadata?.vulnerabilities;
      if (!v) return resolve({ unreachable: `npm audit could not reach the registry's audit endpoint: ${report?.message ?? report?.error?.summary ?? stderr.slice(0, 300)}` });
      resolve({ high: v.high ?? 0, critical: v.critical ?? 0, total: v.total ?? 0 });
    });
  });
}

/** Case 9, against the running fault stack. */
export async function checkSecurity(f: FaultStack, setup: GroupSetup, log: (m: string) => void): Promise<void> {
  const relay = f.stack.relays[1].url;
  const chat = f.stack.api.baseUrl;
  const json = { 'content-type': 'application/json' };

  // A secured queue refuses unsigned and wrongly signed sends; the right key gets through.
  const created = await createQueue(relay);
  const queue = created.body as { recipientId: string; senderId: string };
  const owner = generateKeyPairSync('ed25519');
  const intruder = generateKeyPairSync('ed25519');
  const senderKey = owner.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const secure = (headers: Record<string, string>) => call(`${relay}/queues/${queue.recipientId}/secure`, { method: 'PUT', headers: { ...json, ...headers }, body: JSON.stringify({ senderKey }) });
  // Only the queue's recipient secures it: knowing its recipientId is not enough.
  expect((await secure({})).status).toBe(401);
  expect((await secure({ 'x-signature': sign(null, Buffer.from(RecipientStatement.secure(queue.recipientId, senderKey)), intruder.privateKey).toString('base64') })).status).toBe(403);
  expect((await secure({ 'x-signature': created.signAs(RecipientStatement.secure(queue.recipientId, senderKey)) })).status).toBe(204);
  const body = JSON.stringify({ msgId: 'sec-1', body: 'hello' });
  const unsigned = await call(`${relay}/queues/${queue.senderId}/messages`, { method: 'POST', headers: json, body });
  expect(unsigned.status).toBe(401);
  expect(unsigned.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  const forged = sign(null, Buffer.from(body), intruder.privateKey).toString('base64');
  expect((await call(`${relay}/queues/${queue.senderId}/messages`, { method: 'POST', headers: { ...json, 'x-signature': forged }, body })).status).toBe(403);
  const garbage = Buffer.from('not a signature').toString('base64');
  expect((await call(`${relay}/queues/${queue.senderId}/messages`, { method: 'POST', headers: { ...json, 'x-signature': garbage }, body })).status).toBe(403);
  // Signed for another body: a replayed signature does not cover a changed message.
  const otherBody = JSON.stringify({ msgId: 'sec-2', body: 'changed' });
  const good = sign(null, Buffer.from(body), owner.privateKey).toString('base64');
  expect((await call(`${relay}/queues/${queue.senderId}/messages`, { method: 'POST', headers: { ...json, 'x-signature': good }, body: otherBody })).status).toBe(403);
  expect((await call(`${relay}/queues/${queue.senderId}/messages`, { method: 'POST', headers: { ...json, 'x-signature': good }, body })).status).toBe(201);
  log('secured queue: unsigned 401, forged/garbage/replayed 403, signed 201');

  // Ids: relay queue ids 128-bit base64url; the chat's ids UUIDv4 (122 random bits); corrIds too.
  const relayIds = (await Promise.all(Array.from({ length: 8 }, () => createQueue(relay)))).flatMap(
    (r) => [r.body.recipientId, r.body.senderId] as string[],
  );
  expectUnguessable('relay queue', relayIds, (id) => (/^[A-Za-z0-9_-]{22}$/.test(id) ? Buffer.from(id, 'base64url').length * 8 : 0), 128);
  const uuidBits = (id: string) => (UUID_V4.test(id) ? 122 : 0);
  const { rows } = await f.db.query<{ corr_id: string }>(`SELECT corr_id FROM chat.commands ORDER BY id LIMIT 200`);
  expectUnguessable('corrId', rows.map((r) => r.corr_id).filter((c) => UUID_V4.test(c)), uuidBits, 122);
  expectUnguessable('user', setup.all.map((p) => p.userId), uuidBits, 122);
  expectUnguessable('member', setup.all.map((p) => p.memberId), uuidBits, 122);
  const contacts = (await f.stack.api.contacts(setup.host.userId)).map((c) => c.contactId);
  expectUnguessable('contact', contacts, uuidBits, 122);
  log(`ids: ${relayIds.length} relay ids of 128 bits, chat ids UUIDv4, no shared 32-bit heads`);

  // The relay admin API refuses without its token, or with a wrong one.
  for (const headers of [{} as Record<string, string>, { 'x-admin-token': 'wrong' }, { 'x-admin-token': `${RELAY_TEST_ADMIN_TOKEN}x` }]) {
    expect((await call(`${relay}/admin/faults`, { headers })).status).toBe(401);
    expect((await call(`${relay}/admin/faults`, { method: 'PUT', headers: { ...json, ...headers }, body: JSON.stringify({ down: true }) })).status).toBe(401);
  }
  expect((await call(`${relay}/health`)).status).toBe(200);
  // Bull Board (chat /queues) refuses without credentials or with wrong ones, its JSON API included.
  const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  for (const path of ['/queues', '/queues/api/queues']) {
    expect((await call(`${chat}${path}`)).status).toBe(401);
    expect((await call(`${chat}${path}`, { headers: basic('admin', 'wrong') })).status).toBe(401);
  }
  expect((await call(`${chat}/queues/api/queues`, { headers: basic('admin', BOARD_PASSWORD) })).status).toBe(200);
  log('relay admin API and Bull Board: 401 without or with wrong credentials');

  // A user cannot read or act on another user's groups, contacts or commands.
  const mallory = await f.stack.api.createUser('Mallory');
  const g = setup.groupId;
  const hostContact = contacts[0];
  const hostCommand = (await f.stack.api.commands(setup.host.userId))[0];
  const probes: Array<[string, string, unknown?]> = [
    ['GET', `/users/${mallory}/groups/${g}/members`],
    ['GET', `/users/${mallory}/groups/${g}/messages`],
    ['GET', `/users/${mallory}/groups/${g}/progress`],
    ['POST', `/users/${mallory}/groups/${g}/messages`, { text: 'spoofed' }],
    ['POST', `/users/${mallory}/groups/${g}/join`],
    ['POST', `/users/${mallory}/groups/${g}/members`, { contactId: hostContact }],
    ['GET', `/users/${mallory}/contacts/${hostContact}`],
  ];
  for (const [method, path, payload] of probes) {
    const answer = await f.stack.api.request(method, path, payload);
    if (answer.status !== 404) throw new Error(`${method} ${path} as another user: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const malloryCommands = await f.stack.api.commands(mallory);
  expect(malloryCommands.map((c) => c.corrId)).not.toContain(hostCommand.corrId);
  expect(malloryCommands).toEqual([]);
  log(`another user's group, contact and commands: ${probes.length} probes answered 404`);

  // npm audit of the production dependencies.
  const audit = await runNpmAudit();
  if ('unreachable' in audit) {
    // Said out loud, never passed silently: the run's output and docs/reliability.md carry it.
    console.warn(`NPM AUDIT NOT RUN — ${audit.unreachable}`);
    log(`npm audit: NOT RUN (${audit.unreachable})`);
  } else {
    log(`npm audit --omit=dev: ${audit.total} advisories, ${audit.high} high, ${audit.critical} critical`);
    expect({ high: audit.high, critical: audit.critical }).toEqual({ high: 0, critical: 0 });
  }
}
