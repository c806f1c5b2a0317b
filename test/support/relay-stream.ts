import { ClientRequest, IncomingMessage, request } from 'node:http';
import { eventually } from './eventually';

export interface RelayStreamEvent {
  event: string;
  data: any;
}

export interface RelayStream {
  sessionId: string;
  /** Every event received so far (the first is `session`). */
  events: RelayStreamEvent[];
  /** `message` events' data, in arrival order. */
  messages(): Array<{ recipientId: string; msgId: string; body: string; sentAt: string }>;
  /** Resolves when the relay (or the network) ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Waits until `predicate` holds over the events received so far. */
  waitFor(predicate: (events: RelayStreamEvent[]) => boolean, what?: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * A tiny SSE reader for `GET /sessions/stream`: opens the stream, resolves once the `session`
 * event arrived, then collects events until closed. Rejects if the stream cannot be opened.
 */
export function openRelayStream(relayUrl: string, opts: { timeoutMs?: number } = {}): Promise<RelayStream> {
  return new Promise((resolve, reject) => {
    const events: RelayStreamEvent[] = [];
    let ended = false;
    let markEnded: () => void = () => undefined;
    const endedPromise = new Promise<void>((r) => (markEnded = r));
    const finish = () => {
      if (ended) return;
      ended = true;
      markEnded();
    };
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`no session event from ${relayUrl} within ${opts.timeoutMs ?? 5_000} ms`)), opts.timeoutMs ?? 5_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      finish();
      req.destroy();
      if (!settled) {
        settled = true;
        reject(err);
      }
    };
    const req: ClientRequest = request(`${relayUrl}/sessions/stream`, { headers: { accept: 'text/event-stream' } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return fail(new Error(`stream answered HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length === 0) continue; // a comment (`: ping`)
          const parsed = { event, data: JSON.parse(data.join('\n')) };
          events.push(parsed);
          if (parsed.event === 'session' && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve(stream(parsed.data.sessionId));
          }
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (err) => (settled ? finish() : fail(err)));
    req.end();

    const stream = (sessionId: string): RelayStream => ({
      sessionId,
      events,
      messages: () => events.filter((e) => e.event === 'message').map((e) => e.data),
      ended: endedPromise,
      isEnded: () => ended,
      waitFor: async (predicate, what, timeoutMs = 10_000) => {
        await eventually(() => predicate(events), { timeoutMs, what: what ?? 'stream events' });
      },
      close: () => {
        req.destroy();
        finish();
      },
    });
  });
}
