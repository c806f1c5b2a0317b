import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
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

/** Thin client for the relay HTTP API; answers status + parsed JSON and never throws on 4xx/5xx. */
export function relayApi(url: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${url}${path}`, {
      method,
      headers: raw === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    createQueue: (idempotencyKey?: string) => call('POST', '/queues', idempotencyKey === undefined ? {} : { idempotencyKey }),
    secure: (recipientId: string, senderKey: string) => call('PUT', `/queues/${recipientId}/secure`, { senderKey }),
    /** `signer` signs the exact JSON text sent. */
    send: (senderId: string, msgId: string, body: string, signer?: SenderKeyPair) => {
      const raw = JSON.stringify({ msgId, body });
      return call('POST', `/queues/${senderId}/messages`, raw, signer ? { 'x-signature': signer.sign(raw) } : {});
    },
    subscribe: (sessionId: string, recipientIds: string[]) => call('POST', `/sessions/${sessionId}/subscriptions`, { recipientIds }),
    ack: (recipientId: string, msgId: string) => call('DELETE', `/queues/${recipientId}/messages/${msgId}`),
    deleteQueue: (recipientId: string) => call('DELETE', `/queues/${recipientId}`),
  };
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
