import { KeyObject, createPublicKey, verify } from 'node:crypto';

/** Parses an Ed25519 public key given as base64 SPKI DER; null when it is not one. */
export function parseSenderKey(base64: string): KeyObject | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** True when `signatureBase64` is the sender key's Ed25519 signature of exactly `rawBody`. */
export function verifySignature(senderKeyBase64: string, rawBody: Buffer, signatureBase64: string): boolean {
  const key = parseSenderKey(senderKeyBase64);
  if (!key) return false;
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, rawBody, key, signature);
  } catch {
    return false;
  }
}
