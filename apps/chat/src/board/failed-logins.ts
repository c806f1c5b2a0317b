/** Addresses tracked at most; past it the oldest are dropped (a spray of addresses cannot grow memory). */
const MAX_TRACKED = 10_000;

/**
 * Failed logins per client address in a fixed window: past `max` the address is refused (429)
 * until its window ends, whatever it sends, so a password cannot be guessed at network speed.
 * In memory per chat process.
 */
export class FailedLogins {
  private readonly byAddress = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until the address may try again; 0 when it may try now. */
  blockedFor(address: string, now = Date.now()): number {
    const entry = this.byAddress.get(address);
    if (!entry || now - entry.since >= this.windowMs) return 0;
    return entry.count >= this.max ? this.windowMs - (now - entry.since) : 0;
  }

  failed(address: string, now = Date.now()): void {
    const entry = this.byAddress.get(address);
    if (!entry || now - entry.since >= this.windowMs) {
      if (this.byAddress.size >= MAX_TRACKED) this.byAddress.delete(this.byAddress.keys().next().value!);
      this.byAddress.set(address, { count: 1, since: now });
    } else {
      entry.count++;
    }
  }

  succeeded(address: string): void {
    this.byAddress.delete(address);
  }
}
