import { BlockList, isIP } from 'node:net';

/**
 * Addresses an invitation may not aim an agent at unless they are one of this deployment's own
 * relays: loopback, private (RFC 1918, unique-local), link-local (cloud metadata lives at
 * 169.254.169.254), unspecified, shared (CGNAT), benchmarking, multicast and the like. Node's
 * BlockList also matches IPv4-mapped IPv6 (`::ffff:10.0.0.1`) against the IPv4 ranges.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

export type RelayOriginCheck = { ok: true; origin: string } | { ok: false; reason: string };

/** `http(s)://host[:port]` as URL's origin spells it, for comparing with RELAY_URLS. */
export function relayOriginOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

function isInternalHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  if (family === 4) return INTERNAL.check(host, 'ipv4');
  if (family === 6) return INTERNAL.check(host, 'ipv6');
  // Names that mean this machine whatever DNS says (RFC 6761).
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * A relay named by an invitation (or a peer's reply address) is acceptable when it is exactly an
 * http(s) origin — no path, query, fragment or userinfo — and, if its host is an internal address,
 * it is one of `ownRelayOrigins` (this deployment's RELAY_URLS). So no peer can make an agent POST
 * to another scheme, to a service on its host or network, or to the cloud metadata endpoint.
 * (A public DNS name that resolves to an internal address is not caught here: see docs/security.md.)
 */
export function checkRelayOrigin(relay: unknown, ownRelayOrigins: readonly string[]): RelayOriginCheck {
  if (typeof relay !== 'string' || relay.length === 0 || relay.length > 512) return { ok: false, reason: 'relay must be a URL of at most 512 characters' };
  let url: URL;
  try {
    url = new URL(relay);
  } catch {
    return { ok: false, reason: 'relay is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `relay scheme ${url.protocol} is not http: or https:` };
  if (url.username || url.password) return { ok: false, reason: 'relay must not carry userinfo' };
  // The origin is all a relay address may be: anything else (path, query, fragment) aims requests elsewhere.
  if (relay !== url.origin && relay !== `${url.origin}/`) return { ok: false, reason: 'relay must be an origin (scheme://host[:port]) with no path, query or fragment' };
  const own = new Set(ownRelayOrigins.map(relayOriginOf).filter((o): o is string => o !== null));
  if (isInternalHost(url.hostname) && !own.has(url.origin)) {
    return { ok: false, reason: `relay ${url.origin} is an internal address that is not one of this deployment's relays` };
  }
  return { ok: true, origin: url.origin };
}
