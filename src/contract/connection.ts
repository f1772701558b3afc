/**
 * The connection file the embedded tenant writes (`cdktf-aic tenant --connection-file FILE`):
 * everything a client, a test or `npm start` needs to reach it. Real tenants have no such file.
 */
import { z } from "zod";

export const TenantConnection = z.object({
  baseUrl: z.string(),
  realm: z.string(),
  serviceAccount: z.object({
    id: z.string(),
    /** The private JWK (RS256) the account signs its assertion with. */
    jwk: z.looseObject({ kty: z.string() }),
    scope: z.string(),
  }),
  amAdmin: z.object({ username: z.string(), password: z.string() }),
  users: z.array(z.object({ _id: z.string(), userName: z.string(), password: z.string() })),
  groups: z.array(z.object({ _id: z.string(), name: z.string(), members: z.array(z.string()) })),
});
export type TenantConnection = z.infer<typeof TenantConnection>;
