import { AgentErrorCode, ContractViolation } from '@gc/contracts';
import { RelayHttpError } from '../relay/relay-http-error';
import { RelayUnreachable } from '../relay/relay-unreachable';
import { CommandRefusal } from './command-refusal';

export type ErrorClass =
  /** `unknown`: of no known kind; retried, but only UNKNOWN_ERROR_ATTEMPTS times (the agent's retry contract, docs/architecture.md "Agent"). */
  | { kind: 'transient'; message: string; relay?: string; unknown?: true }
  | { kind: 'permanent'; code: AgentErrorCode; message: string; relay?: string };

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  // Postgres / Redis briefly unavailable: the command is fine, the infrastructure is not.
  '57P01',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `: ${cause.message}` : '';
  return `${err.message}${causeText}`.slice(0, 1_000);
}

function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * The one error map: every failure the agent meets — fetch errors, relay HTTP statuses, refusals of
 * the command itself — is either transient (retry with the RetryPolicy, forever) or permanent
 * (ERR with a code, at once). An error of no known kind is transient but marked `unknown`: it is
 * retried a bounded number of times (a wrongly failed command loses a group member, but one that
 * is retried forever holds a worker slot forever), then fails with its reason.
 */
export function classifyError(err: unknown): ErrorClass {
  const cls = classify(err);
  const relay = err instanceof RelayHttpError || err instanceof RelayUnreachable ? err.relay : undefined;
  return relay ? { ...cls, relay } : cls;
}

function classify(err: unknown): ErrorClass {
  const message = describe(err);
  if (err instanceof CommandRefusal) return { kind: 'permanent', code: err.code, message };
  if (err instanceof ContractViolation) return { kind: 'permanent', code: 'VALIDATION', message };
  if (err instanceof RelayHttpError) {
    if (err.status >= 500 || err.status === 408 || err.status === 429) return { kind: 'transient', message };
    // The relay's own "retry": a secure raced our send and changed the key under it.
    if (err.status === 409 && err.code === 'key_changed') return { kind: 'transient', message };
    return { kind: 'permanent', code: 'RELAY_REFUSED', message };
  }
  if (err instanceof RelayUnreachable) return { kind: 'transient', message };
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { kind: 'transient', message: `timeout: ${message}` };
  }
  if (codesOf(err).some((c) => TRANSIENT_CODES.has(c))) return { kind: 'transient', message };
  if (/socket hang up|fetch failed|terminated|other side closed/i.test(message)) return { kind: 'transient', message };
  // Redis (ioredis) and Postgres (pg) going away mid-command: infrastructure, not the command.
  if (/Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|Connection terminated|too many clients|timeout/i.test(message)) {
    return { kind: 'transient', message };
  }
  return { kind: 'transient', message, unknown: true };
}
