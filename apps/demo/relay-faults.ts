export interface Faults {
  failureRate?: number;
  latencyMs?: number;
  down?: boolean;
}

/** The relays' fault-injection API (docs/architecture.md, relay HTTP API): PUT /admin/faults with x-admin-token. */
export class RelayFaults {
  constructor(
    private readonly relayUrls: string[],
    private readonly token: string,
  ) {}

  async set(faults: Faults): Promise<void> {
    await Promise.all(
      this.relayUrls.map(async (url) => {
        const res = await fetch(`${url}/admin/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-admin-token': this.token },
          body: JSON.stringify(faults),
          signal: AbortSignal.timeout(5_000),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`PUT ${url}/admin/faults: HTTP ${res.status} ${text}`);
      }),
    );
  }

  clear(): Promise<void> {
    return this.set({ failureRate: 0, latencyMs: 0, down: false });
  }
}
