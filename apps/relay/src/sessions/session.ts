import type { Response } from 'express';
import { newRelayId } from '../queues/relay-ids';

export const PING_INTERVAL_MS = 5_000;

/** One agent↔relay SSE stream. Lives in memory only: a relay restart ends it and the agent resubscribes. */
export class Session {
  readonly id = newRelayId();
  /** Per queue: the seq of the last message pushed on this stream. */
  readonly cursors = new Map<string, number>();
  /** Per queue: the drain in progress, so pushes of one queue never overlap or reorder. */
  readonly drains = new Map<string, Promise<void>>();
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly res: Response) {
    this.ping = setInterval(() => this.write(': ping\n\n'), PING_INTERVAL_MS);
    this.ping.unref();
  }

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  event(name: string, data: unknown): void {
    this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    clearInterval(this.ping);
    if (this.open) this.res.end();
  }

  stopPinging(): void {
    clearInterval(this.ping);
  }

  private write(chunk: string): void {
    if (this.open) this.res.write(chunk);
  }
}
