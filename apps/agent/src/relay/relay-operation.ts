import { RelayOperation, SIGNATURE_HEADER } from '@gc/contracts';

/** An operation as its own HTTP request (architecture.md "Relay HTTP API"). */
export interface RouteRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Names in errors and logs ("relay … answered 404 to send"), as before batching. */
export const OPERATION_NAMES: Record<RelayOperation['op'], string> = {
  create: 'create queue',
  secure: 'secure queue',
  send: 'send',
  ack: 'ack',
  delete: 'delete queue',
};

const id = encodeURIComponent;

/** The single route that does what `op` does, with the same body and signature. */
export function routeOf(op: RelayOperation): RouteRequest {
  const headers = op.signature !== undefined ? { [SIGNATURE_HEADER]: op.signature } : undefined;
  switch (op.op) {
    case 'create':
      return { method: 'POST', path: '/queues', body: op.body, headers };
    case 'secure':
      return { method: 'PUT', path: `/queues/${id(op.recipientId)}/secure`, body: op.body, headers };
    case 'send':
      return { method: 'POST', path: `/queues/${id(op.senderId)}/messages`, body: op.body, headers };
    case 'ack':
      return { method: 'DELETE', path: `/queues/${id(op.recipientId)}/messages/${id(op.msgId)}`, headers };
    case 'delete':
      return { method: 'DELETE', path: `/queues/${id(op.recipientId)}`, headers };
  }
}
