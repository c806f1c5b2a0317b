import { z } from 'zod';
import { checkRelayOrigin } from './relay-origin';

/** An invitation's text: base64url of JSON, at most this long (the chat's Invitation contract allows 4,096). */
export const MAX_INVITATION_LENGTH = 1_024;
export const INVITATION_VERSION = 2;

const Base64Url = (min: number, max: number) => z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/**
 * What a joiner needs to reach an inviter: the relay, the sender id of the inviter's queue, and the
 * inviter's X25519 public key (raw 32 bytes, base64url), with which the joiner agrees the
 * connection's end-to-end key before anything travels through the relay.
 */
export const InvitationFields = z
  .object({
    v: z.literal(INVITATION_VERSION),
    relay: z.string().max(512),
    senderId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'senderId must be a relay id (22 base64url characters)'),
    dhKey: Base64Url(43, 43),
  })
  .strict();
export type InvitationFields = z.infer<typeof InvitationFields>;

export type InvitationCheck = { ok: true; invitation: InvitationFields } | { ok: false; reason: string };

export function encodeInvitation(fields: InvitationFields): string {
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

/**
 * The one check of an invitation, wherever it arrives (the chat's API, a peer's x.grp.mem.inv /
 * x.grp.mem.fwd, the agent's JOIN) and before any IO: size, encoding, version, fields, and an
 * acceptable relay (checkRelayOrigin with this deployment's own RELAY_URLS). Never throws.
 */
export function validateInvitation(text: unknown, ownRelayOrigins: readonly string[]): InvitationCheck {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, reason: 'invitation must be a non-empty string' };
  if (text.length > MAX_INVITATION_LENGTH) return { ok: false, reason: `invitation is longer than ${MAX_INVITATION_LENGTH} characters` };
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return { ok: false, reason: 'invitation is not base64url' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invitation is not base64url JSON' };
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== INVITATION_VERSION) {
    return { ok: false, reason: `invitation version ${JSON.stringify(json.v).slice(0, 20)} is not ${INVITATION_VERSION}` };
  }
  const parsed = InvitationFields.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `invitation is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` };
  }
  const relay = checkRelayOrigin(parsed.data.relay, ownRelayOrigins);
  if (!relay.ok) return { ok: false, reason: relay.reason };
  return { ok: true, invitation: { ...parsed.data, relay: relay.origin } };
}
