/**
 * What a service app's public keys may be (`PublicKeys` at synth, `export` reading a live client):
 * JWKs of a public key type, for signatures, without any private or secret member.
 */

/** Members of a JWK that belong to a private or secret key (RFC 7518 §6.2.2, §6.3.2, §6.4). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** Key types whose public half can verify a client's assertion. */
export const PUBLIC_KEY_TYPES: readonly string[] = ["RSA", "EC", "OKP"];
