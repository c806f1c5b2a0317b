import { Writable } from 'node:stream';

export type Channel = 'stdout' | 'stderr';

/**
 * The launcher's stdout and stderr, either of which can go away under it: a pipe whose reader
 * exited (`| head -3`, `| less` then q, `| tee` then Ctrl-C) or a terminal that hung up. Node
 * reports a write to such a stream as an 'error' event (EPIPE, EIO). Unhandled, that event became
 * an uncaughtException whose handler wrote to the same closed stream, which raised the next one on
 * the next tick, for ever: the launcher spun at 100% CPU and never got to run its signal handlers
 * (issue 15). Here a failed stream is muted, never written again, and the first failure is reported
 * once through `closed`, so the launcher can stop its children and exit.
 */
export class TerminalOutput {
  private readonly streams: Record<Channel, Writable>;
  private readonly muted = new Set<Channel>();
  private reportClosed!: (reason: string) => void;
  /** Resolves, once, with why the first of the two streams stopped taking output. */
  readonly closed = new Promise<string>((resolve) => (this.reportClosed = resolve));

  constructor(stdout: Writable = process.stdout, stderr: Writable = process.stderr) {
    this.streams = { stdout, stderr };
    for (const channel of ['stdout', 'stderr'] as const) {
      this.streams[channel].on('error', (err: NodeJS.ErrnoException) => {
        this.muted.add(channel);
        this.reportClosed(`${channel} closed (${err.code ?? err.message})`);
      });
    }
  }

  get isClosed(): boolean {
    return this.muted.size > 0;
  }

  /**
   * The launcher's own lines: stdout, or stderr once stdout is gone, so that after `| less` and q
   * the terminal still says why everything stops and what stopped.
   */
  announce(text: string): void {
    this.write(this.muted.has('stdout') ? 'stderr' : 'stdout', text);
  }

  /** Writes unless that stream has failed before; output to a closed stream is dropped. */
  write(channel: Channel, text: string): void {
    const stream = this.streams[channel];
    if (this.muted.has(channel) || stream.destroyed || stream.writableEnded) return;
    stream.write(text);
  }
}
