import { KeyObject, createPublicKey, generateKeyPairSync } from 'node:crypto';

/**
 * Ed25519 and X25519 keys in the encodings our wire and storage use (SPKI / PKCS#8 DER, base64),
 * without OpenSSL 3's DER encoder and decoder: on this code's hot paths (a key pair per CREATE,
 * a peer key per handshake, a fresh recipient key per relay queue) they cost ~75 µs per export
 * and ~200 µs per parse, against ~2 µs and ~17 µs through JWK. For these curves DER is a fixed
 * prefix followed by the raw 32 bytes (RFC 8410), so encoding is a concatenation; the spec beside
 * this file checks the bytes against OpenSSL's own export.
 */
export type OkpCurve = 'Ed25519' | 'X25519';

const SPKI_PREFIX: Record<OkpCurve, Buffer> = {
  Ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
  X25519: Buffer.from('302a300506032b656e032100', 'hex'),
};
const PKCS8_PREFIX: Record<OkpCurve, Buffer> = {
  Ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
  X25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
};
const RAW_BYTES = 32;

export interface OkpKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** The raw 32-byte public key. */
  raw: Buffer;
  spki: Buffer;
  pkcs8: Buffer;
}

export function generateOkpKeyPair(curve: OkpCurve): OkpKeyPair {
  const { publicKey, privateKey } = curve === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x!, 'base64url');
  return { publicKey, privateKey, raw, spki: Buffer.concat([SPKI_PREFIX[curve], raw]), pkcs8: Buffer.concat([PKCS8_PREFIX[curve], Buffer.from(jwk.d!, 'base64url')]) };
}

/** The raw public key of a key object of this curve (public, or private: its public half). */
export function okpRawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

export function okpSpki(curve: OkpCurve, raw: Buffer): Buffer {
  return Buffer.concat([SPKI_PREFIX[curve], raw]);
}

/** The raw key inside an SPKI DER of this curve; null for anything else (another curve, other bytes). */
export function okpRawOfSpki(curve: OkpCurve, der: Buffer): Buffer | null {
  const prefix = SPKI_PREFIX[curve];
  if (der.length !== prefix.length + RAW_BYTES || !der.subarray(0, prefix.length).equals(prefix)) return null;
  return der.subarray(prefix.length);
}

/** A public key object from its raw 32 bytes; null when it is not 32 bytes. */
export function okpPublicKey(curve: OkpCurve, raw: Buffer): KeyObject | null {
  if (raw.length !== RAW_BYTES) return null;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: curve, x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return null;
  }
}
