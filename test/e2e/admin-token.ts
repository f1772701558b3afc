/** Mints an admin token for direct reads in assertions, the way reference §1 says a client does. */
import { randomUUID } from "node:crypto";
import { importJWK, SignJWT } from "jose";
import type { TenantConnection } from "../../src/contract";
import { JWT_BEARER_GRANT } from "../../src/contract";

export async function createAdminToken(baseUrl: string, connection: TenantConnection): Promise<string> {
  const tokenUrl = `${baseUrl}/am/oauth2/access_token`;
  const key = await importJWK(connection.serviceAccount.jwk as Parameters<typeof importJWK>[0], "RS256");
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(connection.serviceAccount.id)
    .setSubject(connection.serviceAccount.id)
    .setAudience(tokenUrl)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 180)
    .setJti(randomUUID())
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: "service-account",
      grant_type: JWT_BEARER_GRANT,
      scope: connection.serviceAccount.scope,
      assertion,
    }),
  });
  if (res.status !== 200) throw new Error(`admin token request failed with ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
