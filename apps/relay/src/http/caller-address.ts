import type { Request } from 'express';

/**
 * Who is calling, for the per-caller bounds: the client address of the TCP connection (the relay
 * trusts no forwarding header: anyone could write one). An IPv4 address seen through a dual-stack
 * socket (`::ffff:a.b.c.d`) counts as that IPv4 address.
 */
export function callerAddress(req: Request): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
