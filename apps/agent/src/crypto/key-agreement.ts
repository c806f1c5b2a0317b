import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from 'node:crypto';
import { privateKeyOf, rememberPrivateKey } from './private-keys';

// The SPKI DER prefix of an X25519 public key: the raw 32 bytes follow it.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const INFO = Buffer.from('gc-e2e/1 connection key');

export interface DhKeyPair {
  /** Raw 32 bytes, base64url (43 characters): what an invitation or a conf carries. */
  publicKey: string;
  /** PKCS#8 DER, base64: stored with the connection until the key is agreed. */
  privateKey: string;
}

export function generateDhKeyPair(): DhKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const stored = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  rememberPrivateKey(stored, privateKey);
  return { publicKey: rawPublicKey(publicKey.export({ format: 'der', type: 'spki' })), privateKey: stored };
}

export function dhPublicKeyOf(privateKey: string): string {
  const key = createPublicKey(privateKeyOf(privateKey));
  return rawPublicKey(key.export({ format: 'der', type: 'spki' }));
}

/**
 * The connection's symmetric key (AES-256, base64): X25519 of our private and the peer's public
 * key, through HKDF-SHA256. Null when the peer's key is not an X25519 public key (a peer's bad
 * input: the message is dropped, never a crash).
 */
export function agreeConnectionKey(ownPrivateKey: string, peerPublicKey: string): string | null {
  try {
    const raw = Buffer.from(peerPublicKey, 'base64url');
    if (raw.length !== 32) return null;
    const peer = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    const own = privateKeyOf(ownPrivateKey);
    const shared = diffieHellman({ privateKey: own, publicKey: peer });
    // An all-zero secret means a low-order peer key: it would make the key public.
    if (shared.every((b) => b === 0)) return null;
    return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), INFO, 32)).toString('base64');
  } catch {
    return null;
  }
}

function rawPublicKey(spki: Buffer): string {
  return spki.subarray(X25519_SPKI_PREFIX.length).toString('base64url');
}
