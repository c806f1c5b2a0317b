import { Client } from 'pg';

/**
 * Watches the chat's commands table directly (the chat offers no push of completions): a loop of
 * one indexed query, every `intervalMs`, over the contacts still waiting. A contact is done when
 * its CREATE command is `completed` — the chat commits that in the transaction that stores the
 * invitation on the contact.
 */
export class CommandCompletionProbe {
  private readonly waiting = new Map<string, (at: number) => void>();
  private running = false;
  private loop: Promise<void> | undefined;
  /** Queries issued, to show what the probe itself costs. */
  queries = 0;

  constructor(
    private readonly pg: Client,
    private readonly intervalMs = 1,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves with the time (performance.now()) the completion was first seen. */
  completion(contactId: string): Promise<number> {
    return new Promise((resolve) => this.waiting.set(contactId, resolve));
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.waiting.size > 0) {
        const ids = [...this.waiting.keys()];
        this.queries++;
        const { rows } = await this.pg.query<{ id: string }>(
          `SELECT k.id FROM contacts k JOIN commands c ON c.conn_id = k.conn_id
            WHERE k.id = ANY($1::uuid[]) AND c.status = 'completed'`,
          [ids],
        );
        const now = performance.now();
        for (const { id } of rows) {
          this.waiting.get(id)?.(now);
          this.waiting.delete(id);
        }
      }
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }
}

/** How many commands of a function are completed (the throughput runs' progress). */
export async function completedCount(pg: Client, fn: string): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM commands WHERE function = $1 AND status = 'completed'`, [fn]);
  return Number(rows[0].n);
}
