/**
 * The root realm of the embedded tenant as far as OAuth2 goes: AIC's built-in public client
 * `idmAdminClient`, with which the admin console (and frodo, logged in as a tenant administrator)
 * turns an AM admin session into a bearer token for the IDM and environment APIs — authorization
 * code with PKCE at `/am/oauth2/authorize`, then `/am/oauth2/access_token`. frodo also tells an AIC
 * tenant from a self-managed AM by whether that authorize request yields a code.
 *
 * The root realm is not a realm of the tenant state (admins cannot change it in AIC); it is built
 * per tenant because the client's redirect URI names the tenant's own host. Decisions marked [inf]
 * are not documented or recorded.
 */
import { PROVIDER_DEFAULTS } from "../contract/am-defaults";
import type { EmulatorContext } from "./context";
import { scopeClaim, verifyToken, type OAuth2Route } from "./oauth2";
import { header, scopesOpen } from "./sessions";
import { own } from "./token-exchange";
import type { EmulatorRequest, RealmState } from "./types";

/** The admin console's client in the root realm, as frodo names it. */
export const PLATFORM_ADMIN_CLIENT = "idmAdminClient";
/** Where the admin console receives its code, on the tenant's own host. */
export const PLATFORM_ADMIN_REDIRECT_PATH = "/platform/appAuthHelperRedirect.html";

/**
 * The scopes a tenant can grant (`/environment/scopes/service-accounts`), as Ping's "Service
 * accounts" page lists them [doc]; the descriptions are the page's purpose column shortened [inf].
 */
export const TENANT_SCOPES: readonly { scope: string; description: string; childScopes?: { scope: string; description: string }[] }[] = [
  { scope: "fr:am:*", description: "All Access Management APIs" },
  { scope: "fr:idm:*", description: "All Identity Management APIs" },
  {
    scope: "fr:idc:esv:*",
    description: "All ESV APIs",
    childScopes: [
      { scope: "fr:idc:esv:read", description: "Read ESVs" },
      { scope: "fr:idc:esv:update", description: "Create, update and delete ESVs" },
      { scope: "fr:idc:esv:restart", description: "Restart the tenant to load ESVs" },
    ],
  },
  { scope: "fr:idc:certificate:*", description: "All certificate APIs", childScopes: [{ scope: "fr:idc:certificate:read", description: "Read certificates" }] },
  { scope: "fr:idc:content-security-policy:*", description: "All content security policy APIs" },
  { scope: "fr:idc:cookie-domain:*", description: "All cookie domain APIs" },
  { scope: "fr:idc:custom-domain:*", description: "All custom domain APIs" },
  { scope: "fr:idc:federation:*", description: "All federation APIs" },
  { scope: "fr:idc:release:*", description: "All release APIs" },
  { scope: "fr:idc:sso-cookie:*", description: "All SSO cookie APIs" },
];

const allScopes = () => TENANT_SCOPES.flatMap((s) => [s.scope, ...(s.childScopes ?? []).map((c) => c.scope)]);

const rootRealms = new WeakMap<EmulatorContext, RealmState>();

/**
 * The root realm: the provider with AM's defaults and `idmAdminClient`, a public client whose
 * consent is implied, allowed `openid` and every tenant scope [inf: AIC does not publish the
 * client's configuration; this is what the admin console's flow needs].
 */
function rootRealm(ctx: EmulatorContext): RealmState {
  let realm = rootRealms.get(ctx);
  if (!realm) {
    const wrapped = (value: unknown) => ({ inherited: false, value });
    realm = {
      provider: structuredClone(PROVIDER_DEFAULTS),
      providerRev: 1,
      aiAgents: {},
      esvMappings: {},
      scripts: {},
      oauth2Clients: {
        [PLATFORM_ADMIN_CLIENT]: {
          secret: null,
          rev: 1,
          body: {
            _id: PLATFORM_ADMIN_CLIENT,
            coreOAuth2ClientConfig: {
              clientType: wrapped("Public"),
              status: wrapped("Active"),
              scopes: wrapped(["openid", ...allScopes()]),
              defaultScopes: wrapped(["openid"]),
              redirectionUris: wrapped([ctx.baseUrl + PLATFORM_ADMIN_REDIRECT_PATH]),
            },
            advancedOAuth2ClientConfig: {
              grantTypes: wrapped(["authorization_code"]),
              responseTypes: wrapped(["code"]),
              tokenEndpointAuthMethod: wrapped("none"),
              isConsentImplied: wrapped(true),
            },
          },
        },
      },
    };
    rootRealms.set(ctx, realm);
  }
  return realm;
}

/** The OAuth2 state of a realm by key (`alpha`; `root` for the root realm). */
export function realmOf(ctx: EmulatorContext, realm: string): RealmState | undefined {
  return realm === "root" ? rootRealm(ctx) : own(ctx.state.realms, realm);
}

const ROOT_ROUTE: OAuth2Route = { realm: "root", realmName: "/", endpoint: "" };

/**
 * Whether the request carries an access token `idmAdminClient` issued to an AM admin, with the
 * scopes the path needs: the bearer the admin console (and frodo) call IDM and the environment
 * APIs with.
 */
export async function isPlatformAdminBearer(req: EmulatorRequest, ctx: EmulatorContext): Promise<boolean> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "")?.[1];
  if (!bearer) return false;
  const claims = await verifyToken(ctx, ROOT_ROUTE, bearer, "access_token");
  return (
    claims?.client_id === PLATFORM_ADMIN_CLIENT &&
    typeof claims.sub === "string" &&
    own(ctx.state.amAdmins, claims.sub) !== undefined &&
    scopesOpen(req, scopeClaim(claims))
  );
}
