import { randomBytes } from 'node:crypto';

/** Queue capabilities: 128 random bits, base64url (22 chars). Knowing one is the permission. */
export function newRelayId(): string {
  return randomBytes(16).toString('base64url');
}

export const RELAY_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const MSG_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isRelayId(value: unknown): value is string {
  return typeof value === 'string' && RELAY_ID_PATTERN.test(value);
}
