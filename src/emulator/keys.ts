/**
 * The realm signing key of the embedded tenant: every OAuth2 access and refresh token it issues is
 * an RS256 JWT signed with it, and `connect/jwk_uri` publishes the public half.
 */
import type { webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";

// Node 20 types declare WebCrypto's key type under `webcrypto`, not as a global (no DOM lib here).
export type CryptoKey = webcrypto.CryptoKey;

export interface SigningKeys {
  privateKey: CryptoKey;
  /** The public JWK as `jwk_uri` serves it (`kid`, `alg`, `use` set). */
  publicJwk: JWK;
  kid: string;
}

export const SIGNING_ALG = "RS256";

/** A fresh key pair; the private key is not extractable, so it never leaves the process. */
export async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG);
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return { privateKey, publicJwk: { ...exported, kid, alg: SIGNING_ALG, use: "sig" }, kid };
}

const verificationKeys = new WeakMap<SigningKeys, Promise<CryptoKey | Uint8Array>>();

/** The public key that verifies tokens signed with `keys` (imported once per key pair). */
export function verificationKey(keys: SigningKeys): Promise<CryptoKey | Uint8Array> {
  let key = verificationKeys.get(keys);
  if (!key) {
    key = importJWK(keys.publicJwk, SIGNING_ALG);
    verificationKeys.set(keys, key);
  }
  return key;
}

/** A JWT of these claims signed with the realm key, its `kid` in the header. */
export function signJwt(keys: SigningKeys, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ typ: "JWT", kid: keys.kid, alg: SIGNING_ALG }).sign(keys.privateKey);
}
