import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  /** Nonce, base64url: fresh random for every message (never reused with one key). */
  n: string;
  /** Ciphertext followed by the GCM tag, base64url. */
  c: string;
}

/** AES-256-GCM of `plaintext` under the connection key; `aad` is authenticated, not sent. */
export function seal(key: string, aad: string, plaintext: string): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { n: nonce.toString('base64url'), c: body.toString('base64url') };
}

/** The plaintext, or null when the box was not sealed with this key and aad (forged, moved, damaged). */
export function open(key: string, aad: string, sealed: Sealed): string | null {
  try {
    const nonce = Buffer.from(sealed.n, 'base64url');
    const body = Buffer.from(sealed.c, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
