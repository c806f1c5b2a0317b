import type { Response } from 'express';
import { once } from 'node:events';
import { newRelayId } from '../queues/relay-ids';

export const PING_INTERVAL_MS = 5_000;

export interface StreamBounds {
  /** Bytes the relay holds for one stream beyond what the socket took (RELAY_STREAM_BUFFER_BYTES). */
  streamBufferBytes: number;
  /** How long a push waits for a full socket to drain before the stream is cut (RELAY_STREAM_STALL_MS). */
  streamStallMs: number;
}

/**
 * One agent↔relay SSE stream. Lives in memory only: a relay restart ends it and the agent resubscribes.
 * Pushes respect backpressure: when the socket does not take a write, the next push waits for it to
 * drain, and a subscriber that stops reading (or reads slower than messages arrive) is cut once it
 * holds `streamBufferBytes` or stalls `streamStallMs` — so one stuck reader cannot grow the relay's
 * memory without bound. Its messages stay stored; they are pushed again when it subscribes anew.
 */
export class Session {
  readonly id = newRelayId();
  /** Per queue: the seq of the last message pushed on this stream. */
  readonly cursors = new Map<string, number>();
  /** Per queue: the drain in progress, so pushes of one queue never overlap or reorder. */
  readonly drains = new Map<string, Promise<void>>();
  private readonly ping: NodeJS.Timeout;
  private cutReason: string | null = null;

  constructor(
    private readonly res: Response,
    private readonly bounds: StreamBounds,
    private readonly onCut: (session: Session, reason: string) => void = () => undefined,
  ) {
    this.ping = setInterval(() => this.write(': ping\n\n'), PING_INTERVAL_MS);
    this.ping.unref();
  }

  get open(): boolean {
    return this.cutReason === null && !this.res.writableEnded && !this.res.destroyed;
  }

  /** Writes one event; false when the socket is full (call `writable()` before the next). */
  event(name: string, data: unknown): boolean {
    return this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Resolves once the socket takes writes again; cuts the stream (and resolves) after the stall bound. */
  async writable(): Promise<void> {
    if (!this.open || !this.res.writableNeedDrain) return;
    const timeout = AbortSignal.timeout(this.bounds.streamStallMs);
    try {
      await once(this.res, 'drain', { signal: timeout });
    } catch {
      this.cut(`subscriber read nothing for ${this.bounds.streamStallMs} ms`);
    }
  }

  end(): void {
    clearInterval(this.ping);
    if (this.open) this.res.end();
  }

  stopPinging(): void {
    clearInterval(this.ping);
  }

  private write(chunk: string): boolean {
    if (!this.open) return false;
    if (this.res.writableLength + chunk.length > this.bounds.streamBufferBytes) {
      this.cut(`subscriber holds more than ${this.bounds.streamBufferBytes} bytes unread`);
      return false;
    }
    return this.res.write(chunk);
  }

  private cut(reason: string): void {
    if (this.cutReason !== null) return;
    this.cutReason = reason;
    clearInterval(this.ping);
    this.onCut(this, reason);
    // Destroy, not end: an orderly end would wait for the unread buffer to flush.
    this.res.destroy();
  }
}
