import Redis from 'ioredis';

/**
 * Redis MONITOR on the shared server, counting only commands that touch this system's keys (its
 * BullMQ prefix or a relay's namespace), grouped by who issued them.
 */
export class RedisCommandCounter {
  private monitor: Awaited<ReturnType<Redis['monitor']>> | undefined;
  readonly counts = new Map<string, number>();
  /** Set when MONITOR broke off; the counts are then partial. */
  failed: string | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly owners: Array<{ owner: string; marker: string }>,
  ) {}

  async start(): Promise<void> {
    const client = new Redis(this.redisUrl);
    this.monitor = await client.monitor();
    client.disconnect();
    // A busy shared server can confuse ioredis' monitor parser; counting stops, the bench goes on.
    this.monitor.on('error', (err: Error) => {
      this.failed = err.message;
      this.monitor?.disconnect();
    });
    this.monitor.on('monitor', (_time: string, args: string[]) => {
      const joined = args.join(' ');
      const owner = this.owners.find((o) => joined.includes(o.marker));
      if (!owner) return;
      const key = `${owner.owner} ${args[0].toUpperCase()}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    });
  }

  stop(): void {
    this.monitor?.disconnect();
  }

  total(owner: string): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(`${owner} `)) n += v;
    return n;
  }
}
