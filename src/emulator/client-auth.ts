/**
 * Client authentication methods beyond a secret (PingAM "OAuth 2.0 client authentication"):
 * `private_key_jwt` (RFC 7523 §2.2) verified against the client's keys, and the Basic challenge
 * a failed Basic authentication answers with (RFC 6749 §5.2).
 *
 * Where the keys are is the client's `signEncOAuth2ClientConfig.publicKeyLocation` [doc]: `jwks`
 * (the JWK set in `jwkSet`), `jwks_uri` (fetched from `jwksUri`; AM's default) or `x509` (the PEM
 * certificate in `clientJwtPublicKey`); the algorithm is `tokenEndpointAuthSigningAlgorithm`
 * (default RS256). The assertion names the client as `iss` and `sub`, is meant for this token
 * endpoint (or the realm's issuer, which openid-client sends [inf: AM's docs name the endpoint]),
 * has `exp` and a `jti` that is good once.
 */
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, importX509, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { EmulatorContext } from "./context";
import { issuer, oauth2Route } from "./oauth2";
import { header } from "./sessions";
import { clientAttribute } from "./token-exchange";
import type { EmulatorRequest } from "./types";

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEFAULT_SIGNING_ALG = "RS256";

/** The client assertion of a form and the client it names (`client_id`, else the assertion's `sub`). */
export function presentedAssertion(form: URLSearchParams): { clientId: string; assertion: string } | undefined {
  const assertion = form.get("client_assertion");
  if (form.get("client_assertion_type") !== CLIENT_ASSERTION_TYPE || !assertion) return undefined;
  let clientId = form.get("client_id") ?? undefined;
  try {
    clientId ??= decodeJwt(assertion).sub;
  } catch {
    return undefined;
  }
  return clientId ? { clientId, assertion } : undefined;
}

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/** The keys that verify the client's assertions, where `publicKeyLocation` says they are. */
async function clientKeys(client: Record<string, unknown>, alg: string): Promise<JWTVerifyGetKey | undefined> {
  const setting = (key: string) => clientAttribute(client, "signEncOAuth2ClientConfig", key);
  switch (setting("publicKeyLocation") ?? "jwks_uri") {
    case "jwks": {
      const jwkSet = setting("jwkSet");
      return typeof jwkSet === "string" ? createLocalJWKSet(JSON.parse(jwkSet)) : undefined;
    }
    case "jwks_uri": {
      const uri = setting("jwksUri");
      if (typeof uri !== "string") return undefined;
      let keys = remoteKeySets.get(uri);
      if (!keys) remoteKeySets.set(uri, (keys = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000 })));
      return keys;
    }
    case "x509": {
      const pem = setting("clientJwtPublicKey");
      if (typeof pem !== "string") return undefined;
      const key = await importX509(pem, alg);
      return async () => key;
    }
    default:
      return undefined;
  }
}

/** Whether the assertion authenticates this client at this endpoint; a verified `jti` is used up. */
export async function verifyClientAssertion(
  req: EmulatorRequest,
  ctx: EmulatorContext,
  clientId: string,
  client: Record<string, unknown>,
  assertion: string,
): Promise<boolean> {
  const route = oauth2Route(req.path);
  const configured = clientAttribute(client, "signEncOAuth2ClientConfig", "tokenEndpointAuthSigningAlgorithm");
  const alg = typeof configured === "string" ? configured : DEFAULT_SIGNING_ALG;
  try {
    const keys = await clientKeys(client, alg);
    if (!keys || !route) return false;
    const { payload } = await jwtVerify(assertion, keys, {
      algorithms: [alg],
      issuer: clientId,
      subject: clientId,
      audience: [ctx.baseUrl + req.path, issuer(ctx, route)],
      currentDate: new Date(ctx.now()),
      requiredClaims: ["exp", "jti"],
    });
    return ctx.sessions.claimAssertion(`client ${route.realm} ${clientId}`, payload.jti!, payload.exp! * 1000, ctx.now());
  } catch {
    return false;
  }
}

/**
 * The challenge of a 401 to a client that used the Basic scheme, naming the realm [inf: AM's
 * realm value]; none when it authenticated otherwise.
 */
export function basicChallenge(req: EmulatorRequest): Record<string, string> | undefined {
  if (!/^Basic\s/i.test(header(req, "authorization") ?? "")) return undefined;
  return { "www-authenticate": `Basic realm="${oauth2Route(req.path)?.realmName ?? "/"}"` };
}
