import { connect, type Socket } from 'node:net';

/**
 * Redis MONITOR on the shared server, counting only commands that touch this system's keys (its
 * BullMQ prefix or a relay's namespace), grouped by who issued them. A raw socket, not ioredis'
 * monitor(): on a busy server the first MONITOR lines can arrive in the same read as its +OK, before
 * ioredis treats the connection as monitoring, and it then emitted "Command queue state error" on a
 * client nobody listened to yet — an unhandled 'error' that ended a whole bench run.
 */
export class RedisCommandCounter {
  private socket: Socket | undefined;
  readonly counts = new Map<string, number>();
  /** Set when MONITOR broke off; the counts are then partial. */
  failed: string | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly owners: Array<{ owner: string; marker: string }>,
  ) {}

  async start(): Promise<void> {
    const url = new URL(this.redisUrl);
    const socket = connect(Number(url.port || 6379), url.hostname || '127.0.0.1');
    this.socket = socket;
    let pending = '';
    let started!: () => void;
    let refused!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((started = resolve), (refused = reject)));
    socket.on('error', (err) => {
      this.failed ??= err.message;
      refused(err);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (line === '+OK') started();
        else if (line.startsWith('-')) refused(new Error(`MONITOR refused: ${line.slice(1)}`));
        else this.count(line);
      }
    });
    if (url.password) socket.write(`AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}\r\n`);
    socket.write('MONITOR\r\n');
    await ready;
  }

  /** `+<time> [<db> <addr>] "CMD" "arg" …`: the owner is whoever's marker an argument holds. */
  private count(line: string): void {
    const at = line.indexOf('] "');
    if (!line.startsWith('+') || at < 0) return;
    const rest = line.slice(at + 2);
    const owner = this.owners.find((o) => rest.includes(o.marker));
    if (!owner) return;
    const command = /^"((?:[^"\\]|\\.)*)"/.exec(rest)?.[1] ?? '?';
    const key = `${owner.owner} ${command.toUpperCase()}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  stop(): void {
    this.socket?.destroy();
  }

  total(owner: string): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(`${owner} `)) n += v;
    return n;
  }
}
