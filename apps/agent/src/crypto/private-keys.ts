import { BoundedMap, okpPrivateKeyOfPkcs8 } from '@gc/contracts';
import { KeyObject, createPrivateKey } from 'node:crypto';

/** Parsed keys kept at most; past it the oldest are dropped (and parsed again when next used). */
const MAX_KEYS = 20_000;
const parsed = new BoundedMap<string, KeyObject>(MAX_KEYS);

/**
 * A stored private key (PKCS#8 DER, base64) as a KeyObject. Our keys (Ed25519, X25519) are parsed
 * from their seed (~45 µs, @gc/contracts okp-keys); OpenSSL 3's decoder, left for anything else,
 * costs ~0.5–2 ms, more than the signature it is for. Every send, ack and handshake step would parse
 * its connection's keys again; keys never change, so each is parsed once and kept.
 */
export function privateKeyOf(pkcs8Base64: string): KeyObject {
  let key = parsed.get(pkcs8Base64);
  if (!key) {
    const der = Buffer.from(pkcs8Base64, 'base64');
    key = okpPrivateKeyOfPkcs8(der) ?? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    remember(pkcs8Base64, key);
  }
  return key;
}

/** A key just generated: known already, so its first use does not parse it. */
export function rememberPrivateKey(pkcs8Base64: string, key: KeyObject): void {
  remember(pkcs8Base64, key);
}

function remember(text: string, key: KeyObject): void {
  parsed.set(text, key);
}
