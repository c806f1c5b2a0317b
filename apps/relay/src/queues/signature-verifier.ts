import { BoundedMap, okpPublicKey, okpRawOfSpki } from '@gc/contracts';
import { KeyObject, verify } from 'node:crypto';

/**
 * Parsed keys kept at most (oldest dropped first): every queue verifies with the same few keys again
 * and again. A new key (one per queue created) is read without OpenSSL's DER decoder (@gc/contracts
 * okp-keys): an Ed25519 SPKI is a fixed prefix and 32 bytes, ~17 µs through JWK against ~200 µs.
 */
const MAX_PARSED = 50_000;
const parsed = new BoundedMap<string, KeyObject>(MAX_PARSED);

/** Parses an Ed25519 public key given as base64 SPKI DER; null when it is not one. */
export function parseSenderKey(base64: string): KeyObject | null {
  const known = parsed.get(base64);
  if (known) return known;
  if (base64.length > 1_024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const raw = okpRawOfSpki('Ed25519', Buffer.from(base64, 'base64'));
  const key = raw && okpPublicKey('Ed25519', raw);
  if (!key) return null;
  parsed.set(base64, key);
  return key;
}

/** The key in one canonical spelling, so the same key in another base64 form is "the same key"; null when not a key. */
export function canonicalKey(base64: string): string | null {
  // parseSenderKey accepts only the canonical 44-byte SPKI, so re-encoding its bytes is the canonical spelling.
  return parseSenderKey(base64) ? Buffer.from(base64, 'base64').toString('base64') : null;
}

/** True when `signatureBase64` is the key's Ed25519 signature of exactly `signed` (a raw body, or a recipient statement). */
export function verifySignature(publicKeyBase64: string, signed: Buffer | string, signatureBase64: string | undefined): boolean {
  if (!signatureBase64 || signatureBase64.length > 128) return false;
  const key = parseSenderKey(publicKeyBase64);
  if (!key) return false;
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, typeof signed === 'string' ? Buffer.from(signed) : signed, key, signature);
  } catch {
    return false;
  }
}
