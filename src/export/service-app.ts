/**
 * How `export` writes service apps: an application record of template "service" and its
 * confidential OAuth2 client become a `ServiceApp`, with a client secret (from the environment, or
 * the tenant's store when the realm maps the client's label) or, for `private_key_jwt`, the public
 * keys of its JWK set (`PublicKeys.fromJwks`).
 */
import { CLIENT_SECRET_METHODS } from "../contract/constants";
import { PRIVATE_JWK_MEMBERS, PUBLIC_KEY_TYPES } from "../contract/jwks";
import { canonicalJson } from "../contract/spec";
import type { AmClientListItem } from "../contract/schemas";
import { formatValue } from "../engine/fields";
import { applicationExport, type ApplicationProps } from "./application";
import { group } from "./client";
import { q } from "./source";

const SIGN_ENC = "signEncOAuth2ClientConfig";

/** The methods ServiceApp authenticates with; the secret ones take a `clientSecret`. */
const SECRET_METHODS: readonly string[] = CLIENT_SECRET_METHODS;
const KEY_METHOD = "private_key_jwt";

export interface ServiceAppProps extends ApplicationProps {
  /** The JWK set of `private_key_jwt` (public keys), as the client holds it. */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The public keys of a `private_key_jwt` client; or why `PublicKeys` cannot give them: the keys
 * elsewhere than in its JWK set, a set `PublicKeys` refuses, or one held in other JSON text than
 * the compact, sorted form the construct writes (the adopting apply would rewrite it).
 */
function jwksOf(item: AmClientListItem): ServiceAppProps["jwks"] | string {
  const signEnc = group(item, SIGN_ENC);
  if (signEnc.publicKeyLocation !== "jwks") return `its public keys are read from ${formatValue(signEnc.publicKeyLocation ?? "jwks_uri")}, not its JWK set: ServiceApp gives private_key_jwt the keys themselves`;
  const raw = signEnc.jwkSet;
  if (typeof raw !== "string" || raw.trim() === "") return "private_key_jwt without a JWK set: ServiceApp needs the public keys";
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return "its JWK set is not JSON: ServiceApp needs a JWK set of public keys";
  }
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0 || Object.keys(value).length !== 1) {
    return `its JWK set is not {"keys": [...]} with at least one key and nothing else: ServiceApp writes exactly that`;
  }
  for (const [i, key] of value.keys.entries()) {
    if (!isObject(key)) return `its JWK set has a key ${i} that is not a JSON object: PublicKeys refuses it`;
    const members = PRIVATE_JWK_MEMBERS.filter((m) => m in key);
    // Never the key's value in a reason: it is private.
    if (members.length > 0) return `its JWK set holds private key material in key ${i} (members ${members.join(", ")}): PublicKeys takes public keys only (rotate that key)`;
    if (typeof key.kty !== "string" || !PUBLIC_KEY_TYPES.includes(key.kty)) return `its JWK set has a key ${i} whose kty ${formatValue(key.kty ?? null)} is not ${PUBLIC_KEY_TYPES.join(", ")}: PublicKeys refuses it`;
    if (key.use !== undefined && key.use !== "sig") return `its JWK set has a key ${i} whose use is ${formatValue(key.use)}, not "sig": PublicKeys refuses it`;
  }
  if (canonicalJson(value) !== raw) return "its JWK set is held as other JSON text than the compact, sorted form ServiceApp writes: the adopting apply would rewrite it (same keys)";
  return value as ServiceAppProps["jwks"];
}

export const serviceAppExport = applicationExport<ServiceAppProps>({
  kind: "service-app",
  construct: "ServiceApp",
  label: "service app",
  countedWhenAny: true,
  template: "service",
  defaultGrantTypes: ["client-credentials"],
  props(common, item) {
    const method = common.tokenEndpointAuthMethod;
    if (SECRET_METHODS.includes(method)) return common;
    if (method !== KEY_METHOD) return `token endpoint auth method "${method}": ServiceApp authenticates with ${[...SECRET_METHODS, KEY_METHOD].join(", ")}`;
    const jwks = jwksOf(item);
    return typeof jwks === "string" ? jwks : { ...common, jwks };
  },
  owned: (p) => (p.jwks ? [`${SIGN_ENC}.publicKeyLocation`, `${SIGN_ENC}.jwkSet`] : []),
  secretPrefix: (p) => (p.jwks ? undefined : "SERVICE_APP"),
  entries: (p) => [
    p.tokenEndpointAuthMethod !== (p.jwks ? KEY_METHOD : "client_secret_basic") ? ["tokenEndpointAuthMethod", q(p.tokenEndpointAuthMethod)] : undefined,
    p.jwks ? ["publicKeys", `PublicKeys.fromJwks(${canonicalJson(p.jwks)})`] : undefined,
  ],
  imports: (p) => (p.jwks ? ["PublicKeys"] : []),
});
