/**
 * POST /batch at a relay (architecture.md "Relay HTTP API"): several queue operations in one
 * request, each answered as its own route would answer it alone. Shared by the relay (runs them)
 * and the agent (gathers them). `body` is the exact JSON text the single route would get as its
 * request body, so a signature over the raw body verifies the same way in either form.
 */
export type RelayOperation =
  | { op: 'create'; body: string; signature: string }
  | { op: 'secure'; recipientId: string; body: string; signature: string }
  | { op: 'send'; senderId: string; body: string; signature?: string }
  | { op: 'ack'; recipientId: string; msgId: string; signature: string }
  | { op: 'delete'; recipientId: string; signature: string };

export type RelayOperationName = RelayOperation['op'];

/** Per operation, in the order sent: the status and JSON body its single route answers (no body for a 204). */
export interface RelayBatchResult {
  status: number;
  body?: unknown;
}

/** Operations per POST /batch; more is a 400 for the whole request. */
export const RELAY_BATCH_MAX_OPERATIONS = 64;
