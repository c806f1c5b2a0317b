import { generateOkpKeyPair, okpPublicKey, okpRawPublicKey } from '@gc/contracts';
import { diffieHellman, hkdfSync } from 'node:crypto';
import { privateKeyOf, rememberPrivateKey } from './private-keys';

const INFO = Buffer.from('gc-e2e/1 connection key');

export interface DhKeyPair {
  /** Raw 32 bytes, base64url (43 characters): what an invitation or a conf carries. */
  publicKey: string;
  /** PKCS#8 DER, base64: stored with the connection until the key is agreed. */
  privateKey: string;
}

export function generateDhKeyPair(): DhKeyPair {
  // Encoded without OpenSSL's DER encoder (@gc/contracts okp-keys).
  const pair = generateOkpKeyPair('X25519');
  const stored = pair.pkcs8.toString('base64');
  rememberPrivateKey(stored, pair.privateKey);
  return { publicKey: pair.raw.toString('base64url'), privateKey: stored };
}

export function dhPublicKeyOf(privateKey: string): string {
  return okpRawPublicKey(privateKeyOf(privateKey)).toString('base64url');
}

/**
 * The connection's symmetric key (AES-256, base64): X25519 of our private and the peer's public
 * key, through HKDF-SHA256. Null when the peer's key is not an X25519 public key (a peer's bad
 * input: the message is dropped, never a crash).
 */
export function agreeConnectionKey(ownPrivateKey: string, peerPublicKey: string): string | null {
  try {
    const peer = okpPublicKey('X25519', Buffer.from(peerPublicKey, 'base64url'));
    if (!peer) return null;
    const own = privateKeyOf(ownPrivateKey);
    const shared = diffieHellman({ privateKey: own, publicKey: peer });
    // An all-zero secret means a low-order peer key: it would make the key public.
    if (shared.every((b) => b === 0)) return null;
    return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), INFO, 32)).toString('base64');
  } catch {
    return null;
  }
}
