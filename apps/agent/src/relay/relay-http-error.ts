/** A relay answered with a non-2xx status. */
export class RelayHttpError extends Error {
  constructor(
    readonly relay: string,
    readonly status: number,
    readonly operation: string,
    readonly body: string,
  ) {
    super(`relay ${relay} answered ${status} to ${operation}: ${body.slice(0, 300)}`);
    this.name = 'RelayHttpError';
  }
}
