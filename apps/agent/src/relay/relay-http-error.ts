/**
 * A relay answered with a non-2xx status. The message names the status and, from the answer, only
 * its error code when it looks like one of ours (`[a-z_]{1,40}`): a relay's answer body is never
 * echoed into lastError or logs, since a foreign relay (named by an invitation) writes what it likes.
 */
export class RelayHttpError extends Error {
  /** The relay's `error` code, or null when the answer carried none we can trust the shape of. */
  readonly code: string | null;

  constructor(
    readonly relay: string,
    readonly status: number,
    readonly operation: string,
    body: string,
  ) {
    const code = errorCodeOf(body);
    super(`relay ${relay} answered ${status} to ${operation}${code ? ` (${code})` : ''}`);
    this.name = 'RelayHttpError';
    this.code = code;
  }
}

function errorCodeOf(body: string): string | null {
  if (body.length > 4_096) return null;
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : null;
  } catch {
    return null;
  }
}
