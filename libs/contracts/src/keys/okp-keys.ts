import { KeyObject, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

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

/**
 * Imported with a placeholder `x`: for a private OKP JWK, Node keeps `d` and OpenSSL derives the
 * public half from it (the spec checks the result against OpenSSL's own encoding of the same key).
 */
const PLACEHOLDER_X = Buffer.alloc(RAW_BYTES).toString('base64url');

/**
 * A fresh pair from 32 random bytes (RFC 8032 / RFC 7748: any 32 bytes are a valid private key of
 * both curves), NOT from generateKeyPairSync. On Node 20, exporting a key as JWK while the key-gen
 * job that made it waits for garbage collection can deadlock the process for good: the export holds
 * the key's mutex while it allocates the result string, the allocation runs a GC, and the GC's
 * finaliser of that job (~KeyPairGenConfig) takes the same non-recursive mutex. Seen as an agent
 * frozen mid-run — main thread in futex_wait under ExportJWKEdKey → GC → ~KeyGenJob (gdb,
 * 2026-12-02) —, every job in flight stuck, no log line, no timer firing; a loop of
 * generateKeyPairSync + export({ format: 'jwk' }) reproduces it within a few thousand keys (the
 * spec beside this file). An imported key has no key-gen job, so nothing else takes its mutex.
 */
export function generateOkpKeyPair(curve: OkpCurve): OkpKeyPair {
  const seed = randomBytes(RAW_BYTES);
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: curve, d: seed.toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { publicKey, privateKey, raw, spki: Buffer.concat([SPKI_PREFIX[curve], raw]), pkcs8: Buffer.concat([PKCS8_PREFIX[curve], seed]) };
}

/**
 * A stored private key (PKCS#8 DER) of either curve as a key object, through JWK from its seed
 * (~45 µs, the public half derived) instead of OpenSSL 3's DER decoder (~500 µs: an agent restarted
 * with 10,000 connections spent ~5 s of one core parsing recipient keys for its opening subscription
 * pass, bench/probes/recovery-profile.ts). Null for anything but the RFC 8410 encoding of these
 * curves (another key type, an encoding with attributes): the caller falls back to the decoder.
 */
export function okpPrivateKeyOfPkcs8(der: Buffer): KeyObject | null {
  for (const curve of ['Ed25519', 'X25519'] as const) {
    const prefix = PKCS8_PREFIX[curve];
    if (der.length !== prefix.length + RAW_BYTES || !der.subarray(0, prefix.length).equals(prefix)) continue;
    const d = der.subarray(prefix.length).toString('base64url');
    return createPrivateKey({ key: { kty: 'OKP', crv: curve, d, x: PLACEHOLDER_X }, format: 'jwk' });
  }
  return null;
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
