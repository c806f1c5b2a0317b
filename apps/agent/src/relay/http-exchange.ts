import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  text: string;
}

/** No complete answer within the time allowed for the whole exchange (connect, response, body). */
export class ExchangeTimeout extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Keep-alive sockets shared by every request of this process; at most `maxSockets` per relay. */
export class KeepAlivePool {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(maxSockets: number) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * One HTTP request with its whole answer read, over node:http rather than fetch: on a hot path
 * fetch's per-request streams and AbortSignal.timeout cost more CPU than the request itself. One
 * timer bounds the whole exchange; any failure without a complete answer rejects with its cause.
 */
export function exchange(
  pool: KeepAlivePool,
  url: string,
  opts: { method: string; body?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const https = url.startsWith('https:');
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = (https ? httpsRequest : httpRequest)(url, { method: opts.method, headers, agent: https ? pool.https : pool.http });
    const timer = setTimeout(() => req.destroy(new ExchangeTimeout(opts.timeoutMs)), opts.timeoutMs);
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8') });
      });
      // The socket closed before the body ended (a relay dropping it mid-answer).
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('socket closed before the answer ended'), { code: 'ECONNRESET' }));
      });
    });
    req.end(opts.body);
  });
}
