import { createHash, randomBytes } from 'node:crypto';

/**
 * A user's bearer token: 256 random bits, shown once (POST /users) and stored only as its SHA-256.
 * A fast hash is enough here: the secret is random, not a password, so there is nothing to guess
 * from the hash in less than 2^255 tries; a slow KDF would only make every request slower.
 */
export function newUserToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The token of an `Authorization: Bearer <token>` header; null when there is none or it is malformed. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header.trim());
  return m ? m[1] : null;
}
