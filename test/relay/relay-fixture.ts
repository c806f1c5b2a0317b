import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { RecipientStatement } from '@gc/contracts';
import { request as httpRequest } from 'node:http';
import { freePort } from '../support/free-port';
import { RELAY_TEST_ADMIN_TOKEN } from '../support/relay-admin';
import { startService, ServiceProcess } from '../support/service-process';
import { SHARED_REDIS_URL, dropKeys, uniqueSuffix } from '../support/test-isolation';

export interface StartedRelay extends ServiceProcess {
  relayName: string;
  redisUrl: string;
}

/** A built relay on a free port with its own RELAY_NAME (so suites share Redis without meeting). */
export async function startRelay(
  label: string,
  opts: { relayName?: string; redisUrl?: string; port?: number; env?: Record<string, string> } = {},
): Promise<StartedRelay> {
  const relayName = opts.relayName ?? `t-${label}-${uniqueSuffix()}`;
  const redisUrl = opts.redisUrl ?? SHARED_REDIS_URL;
  const port = opts.port ?? (await freePort());
  const service = await startService('relay', label, port, {
    RELAY_REDIS_URL: redisUrl,
    RELAY_NAME: relayName,
    RELAY_ADMIN_TOKEN: RELAY_TEST_ADMIN_TOKEN,
    ...opts.env,
  });
  return Object.assign(service, { relayName, redisUrl });
}

/** Removes a test relay's keys from the shared Redis. */
export function dropRelayKeys(relayName: string, redisUrl = SHARED_REDIS_URL): Promise<void> {
  return dropKeys(redisUrl, `relay:${relayName}:*`);
}

export interface Answer {
  status: number;
  body: any;
}

/**
 * Thin client for the relay HTTP API; answers status + parsed JSON and never throws on 4xx/5xx.
 * One client is one caller with one recipient key (`recipient`): every queue it creates is owned by
 * that key and every recipient operation it makes is signed with it, so a second client stands for
 * another caller (an attacker who knows the ids, not the key).
 */
export function relayApi(url: string, recipient: SenderKeyPair = senderKeyPair(), opts: { localAddress?: string } = {}) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await httpCall(url, method, path, raw, raw === undefined ? headers : { 'content-type': 'application/json', ...headers }, opts.localAddress);
    return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
  };
  const signed = (statement: string) => ({ 'x-signature': recipient.sign(statement) });
  return {
    call,
    recipient,
    /** Signed with this caller's recipient key, over the exact JSON text sent. */
    createQueue: (idempotencyKey?: string, sessionId?: string) => {
      const raw = JSON.stringify({ recipientKey: recipient.publicKey, idempotencyKey, sessionId });
      return call('POST', '/queues', raw, { 'x-signature': recipient.sign(raw) });
    },
    secure: (recipientId: string, senderKey: string) =>
      call('PUT', `/queues/${recipientId}/secure`, { senderKey }, signed(RecipientStatement.secure(recipientId, senderKey))),
    /** `signer` signs the exact JSON text sent. */
    send: (senderId: string, msgId: string, body: string, signer?: SenderKeyPair) => {
      const raw = JSON.stringify({ msgId, body });
      return call('POST', `/queues/${senderId}/messages`, raw, signer ? { 'x-signature': signer.sign(raw) } : {});
    },
    subscribe: (sessionId: string, recipientIds: string[]) =>
      call('POST', `/sessions/${sessionId}/subscriptions`, {
        subscriptions: recipientIds.map((recipientId) => ({ recipientId, signature: recipient.sign(RecipientStatement.subscribe(sessionId, recipientId)) })),
      }),
    ack: (recipientId: string, msgId: string) => call('DELETE', `/queues/${recipientId}/messages/${msgId}`, undefined, signed(RecipientStatement.ack(recipientId, msgId))),
    deleteQueue: (recipientId: string) => call('DELETE', `/queues/${recipientId}`, undefined, signed(RecipientStatement.delete(recipientId))),
  };
}

/** One HTTP exchange, optionally from a given local address (127.0.0.2 is another caller on loopback). */
function httpCall(
  base: string,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  localAddress?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers, localAddress, timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface SenderKeyPair {
  /** SPKI DER base64, as `PUT /queues/:rid/secure` takes it. */
  publicKey: string;
  privateKey: KeyObject;
  sign(raw: string): string;
}

export function senderKeyPair(): SenderKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
    sign: (raw) => sign(null, Buffer.from(raw), privateKey).toString('base64'),
  };
}
