/** A relay request that got no HTTP answer (refused, reset, timed out): always worth retrying. */
export class RelayUnreachable extends Error {
  constructor(
    readonly relay: string,
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ''}` : String(cause);
    super(`relay ${relay} unreachable on ${operation}: ${reason}`);
    this.name = 'RelayUnreachable';
  }
}
