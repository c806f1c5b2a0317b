import { execFileSync } from 'node:child_process';
import { createServer, connect, Server, Socket } from 'node:net';

/** What one client process sent Postgres (frontend messages of the wire protocol). */
export interface PgTally {
  /** Sync (end of an extended-protocol query) + simple Query: each is one round trip. */
  roundTrips: number;
  /** Statement text (first 120 characters, whitespace folded) → how many times it was parsed or run. */
  statements: Map<string, number>;
}

/**
 * A TCP proxy in front of Postgres that reads the frontend side of the wire protocol and tallies, per
 * client process (found with `ss -p` by the client's port), the round trips and statements it sent —
 * what `pg_stat_statements` would tell per database, but per process and without a server restart.
 */
export class PgRoundTripProxy {
  readonly byPid = new Map<number, PgTally>();
  private server?: Server;
  port = 0;

  constructor(private readonly target = { host: '127.0.0.1', port: 5432 }) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** A copy of the tallies, to subtract a warm-up from. */
  snapshot(): Map<number, PgTally> {
    return new Map([...this.byPid].map(([pid, t]) => [pid, { roundTrips: t.roundTrips, statements: new Map(t.statements) }]));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: Socket): void {
    const server = connect(this.target.port, this.target.host);
    const pid = pidOfPeer(client.remotePort!);
    const tally = this.byPid.get(pid) ?? { roundTrips: 0, statements: new Map<string, number>() };
    this.byPid.set(pid, tally);
    let pending = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        // The startup message has no type byte; every later frontend message is type + int32 length.
        if (!started) {
          if (pending.length < 4 || pending.length < pending.readInt32BE(0)) break;
          pending = pending.subarray(pending.readInt32BE(0));
          started = true;
          continue;
        }
        if (pending.length < 5 || pending.length < 1 + pending.readInt32BE(1)) break;
        const type = String.fromCharCode(pending[0]);
        const body = pending.subarray(5, 1 + pending.readInt32BE(1));
        if (type === 'S' || type === 'Q') tally.roundTrips++;
        if (type === 'Q' || type === 'P') {
          // Q: the text; P: statement name, NUL, the text.
          const start = type === 'Q' ? 0 : body.indexOf(0) + 1;
          const text = body.toString('utf8', start, body.indexOf(0, start)).replace(/\s+/g, ' ').slice(0, 120);
          tally.statements.set(text, (tally.statements.get(text) ?? 0) + 1);
        }
        pending = pending.subarray(1 + pending.readInt32BE(1));
      }
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [a, b] of [[client, server], [server, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  }
}

function pidOfPeer(port: number): number {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`]).toString();
  return Number(/pid=(\d+)/.exec(out)?.[1] ?? 0);
}
