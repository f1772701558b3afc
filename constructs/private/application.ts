/**
 * What the application constructs share (`ConfidentialWebApp`, `SinglePageApp`, `NativeApp`,
 * `ServiceApp`): the props of every custom application and their checks, the redirect URI and CORS
 * origin checks, and the refusals that keep a public client public.
 */
import { Token } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { corsOriginProblem, GRANT_TYPES, redirectUriProblem, type RedirectingApp } from "../../src/contract";
import { VALIDATION_CODES as C, propError, validationMessage } from "../errors";
import { checkKnownProps, checkLifetime, checkScopes, checkSubset, type PropNames } from "./checks";
import { manageClient, realmProviders, type CheckedClient, type ObjectRemovalPolicy } from "./client";
import type { ManagedObject } from "./custom-resource";

/** Props every application construct has. */
export interface ApplicationProps {
  /** The application's display name. */
  readonly name: string;
  /** The OAuth2 client id: letters, digits, `-` and `_`. Unique in the realm among applications and agents. */
  readonly clientId: string;
  /**
   * User names of the application's owners.
   *
   * @default [] (no owners)
   */
  readonly owners?: readonly string[];
  /** The scopes the application may ask for, e.g. `["openid", "profile"]`. At least one. */
  readonly scopes: readonly string[];
  /**
   * A description shown in the admin console.
   *
   * @default - none
   */
  readonly description?: string;
  /**
   * The scopes a token gets when a request names none; each must be one of `scopes`.
   *
   * @default - not managed: whatever the tenant has stays (AM's default is none)
   */
  readonly defaultScopes?: readonly string[];
  /**
   * The lifetime of the client's access tokens in seconds; 0 means the OAuth2 provider's.
   *
   * @default - not managed: whatever the tenant has stays (AM's default is 0)
   */
  readonly accessTokenLifetime?: number;
  /**
   * Take over the object when it already exists in the tenant but was not created by this stack.
   * Without it such an apply fails before any write. See `ConfidentialWebAppProps.adopt`.
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * What happens to the object when this construct leaves the code: `"destroy"` deletes it,
   * `"retain"` forgets it (it stays in the tenant). See `ConfidentialWebAppProps.removalPolicy`.
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
}

/** Props of the public clients (`SinglePageApp`, `NativeApp`). */
export interface PublicClientProps extends ApplicationProps {
  /** Where the authorization response goes, matched exactly. At least one. */
  readonly redirectUris: readonly string[];
  /**
   * The grant types the client may use: friendly names (see `GRANT_TYPES`) or AM's strings; never
   * `client-credentials`, `password` or `implicit`.
   *
   * @default ["authorization-code"]
   */
  readonly grantTypes?: readonly string[];
  /**
   * Users are not asked to consent to the scopes (a first-party app).
   *
   * @default true
   */
  readonly impliedConsent?: boolean;
}

/** How a public client construct is named and checked. */
export interface PublicClientKind<P extends PublicClientProps> {
  readonly kind: "spa" | "native-app";
  /** As a message names it, e.g. `single-page app`. */
  readonly what: string;
  /** The props interface, e.g. `SinglePageAppProps`. */
  readonly propsType: string;
  readonly known: PropNames<P>;
  readonly redirects: RedirectingApp;
}

/**
 * Checks a public client's props and has the tenant manage it: no secret, `none` at the token
 * endpoint, its redirect URIs, no grant type that needs a secret. `extra`: the kind's own owned fields.
 */
export function managePublicClient<P extends PublicClientProps>(owner: Construct, k: PublicClientKind<P>, props: P, extra: { readonly corsOrigins?: string[] } = {}): CheckedClient {
  checkKnownProps(owner, k.propsType, publicClientProps(owner, k.what, props), k.known);
  const redirectUris = [...(props.redirectUris ?? [])];
  checkRedirectUris(owner, redirectUris, k.redirects, true);
  const defaults = tokenDefaults(owner, props);
  const { clientSecret: _ignored, ...withoutSecret } = props as P & { clientSecret?: unknown };
  const client = manageClient(owner, k.kind, withoutSecret, { scopesRequired: true, grantTypes: ["authorization-code"], tokenEndpointAuthMethod: "none" }, (checked) => ({
    ...checked,
    tokenEndpointAuthMethod: "none" as const,
    redirectUris,
    impliedConsent: props.impliedConsent ?? true,
    ...defaults,
    ...extra,
  }));
  checkPublicGrantTypes(owner, client.grantTypes);
  owner.node.addValidation({ validate: () => pkceErrors(client.object) });
  return client;
}

/**
 * A public client in a realm whose OAuth2ProviderGrants does not require PKCE: AM would then issue
 * codes to it without a code challenge, and a code intercepted on its way to the app could be
 * redeemed by anyone. No OAuth2ProviderGrants for the realm: the provider is managed elsewhere.
 */
function pkceErrors(client: ManagedObject): string[] {
  const providers = realmProviders(client);
  if (providers.length === 0) return [];
  const required = providers.some((p) => p.spec.kind === "oauth2-provider-grants" && p.spec.owned.codeVerifierEnforced !== undefined);
  if (required) return [];
  return [
    validationMessage(C.pkceNotRequired, {
      problem: `${providers.map((p) => p.owner.node.path).join(", ")} does not require PKCE, so AM would give ${client.owner.node.path}, a public client, codes without a code challenge`,
      received: { requirePkce: "unset" },
      allowed: `requirePkce "public-clients" or "all-clients" on the realm's OAuth2ProviderGrants`,
      fix: `set requirePkce: "public-clients" on ${providers[0].owner.node.path}`,
    }),
  ];
}

/** The spec's optional token defaults, checked: present only when set. */
export function tokenDefaults(scope: IConstruct, props: Pick<ApplicationProps, "scopes" | "defaultScopes" | "accessTokenLifetime">): { defaultScopes?: string[]; accessTokenLifetime?: number } {
  const defaultScopes = props.defaultScopes === undefined ? undefined : [...props.defaultScopes];
  if (defaultScopes) {
    checkScopes(scope, "defaultScopes", defaultScopes, false);
    checkSubset(scope, "defaultScopes", defaultScopes, "scopes", props.scopes);
  }
  if (props.accessTokenLifetime !== undefined) checkLifetime(scope, "accessTokenLifetime", props.accessTokenLifetime);
  return {
    ...(defaultScopes ? { defaultScopes } : {}),
    ...(props.accessTokenLifetime === undefined ? {} : { accessTokenLifetime: props.accessTokenLifetime }),
  };
}

const EXAMPLES: Record<RedirectingApp, string> = {
  browser: `"https://app.example.com/callback" (or "http://127.0.0.1:3000/callback" in development)`,
  native: `"com.example.app:/oauth2redirect" (a scheme of your own) or "http://127.0.0.1/callback" (any port)`,
};

/** Redirect URIs that AM takes and the app can receive; `required`: at least one (the code flow needs one). */
export function checkRedirectUris(scope: IConstruct, uris: readonly string[], app: RedirectingApp, required: boolean): void {
  if (required && uris.length === 0) {
    return propError(scope, C.noRedirectUris, {
      problem: "redirectUris must name at least one URI: the authorization code comes back to it",
      received: uris,
      allowed: `one or more redirect URIs, e.g. ${EXAMPLES[app]}`,
      fix: "list the URI your app receives the authorization response at",
    });
  }
  for (const uri of uris) {
    if (Token.isUnresolved(uri)) continue;
    const problem = redirectUriProblem(uri, app);
    if (!problem) continue;
    return propError(scope, C.invalidRedirectUri, {
      problem: `redirectUris has a URI that ${problem}`,
      received: uri,
      allowed: app === "browser" ? "absolute https URIs (http only to 127.0.0.1, [::1] or localhost), without fragment or wildcard" : "a private-use scheme, a loopback http URI or https, without fragment or wildcard",
      fix: `use e.g. ${EXAMPLES[app]}`,
    });
  }
}

/** CORS origins: `scheme://host[:port]` only. */
export function checkCorsOrigins(scope: IConstruct, origins: readonly string[]): void {
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    const problem = corsOriginProblem(origin);
    if (!problem) continue;
    return propError(scope, C.invalidCorsOrigin, {
      problem: `corsOrigins has a value that ${problem}`,
      received: origin,
      allowed: "origins such as https://app.example.com or http://127.0.0.1:3000 (https, or http to this machine)",
      fix: `use the origin the browser sends, e.g. "https://app.example.com"`,
    });
  }
}

/** Grant types a public client must not use, with why (OAuth 2.0 Security Best Current Practice). */
const PUBLIC_CLIENT_REFUSED: Record<string, string> = {
  [GRANT_TYPES["client-credentials"]]: "a public client cannot authenticate, so anyone who knows its id would get its tokens",
  [GRANT_TYPES.password]: "the app would handle the user's password itself",
  [GRANT_TYPES.implicit]: "tokens would travel in the redirect",
};

/**
 * A public client (SPA, native app) holds no secret: a `clientSecret`, or a token endpoint auth
 * method other than `none`, given where TypeScript does not check (tsx, JavaScript), is refused
 * rather than dropped. Returns the props without them, for the unknown-props check.
 */
export function publicClientProps<P extends object>(scope: Construct, construct: string, props: P): P {
  const raw = props as Record<string, unknown>;
  const { clientSecret, tokenEndpointAuthMethod, ...rest } = raw;
  if (clientSecret !== undefined || (tokenEndpointAuthMethod !== undefined && tokenEndpointAuthMethod !== "none")) {
    propError(scope, C.publicClientSecret, {
      problem: `a ${construct} is a public client: the code runs where its users can read it, so it cannot keep a secret (AM's token endpoint auth method is "none")`,
      received: clientSecret !== undefined ? "clientSecret" : `tokenEndpointAuthMethod ${JSON.stringify(tokenEndpointAuthMethod)}`,
      allowed: "no clientSecret; the authorization code flow with PKCE proves the app instead",
      fix: "remove clientSecret and tokenEndpointAuthMethod, or use ConfidentialWebApp for an app with a server that keeps the secret",
    });
  }
  return rest as P;
}

/** Refuses grant types a public client must not use (`grantTypes` as AM's strings). */
export function checkPublicGrantTypes(scope: IConstruct, grantTypes: readonly string[]): void {
  for (const g of grantTypes) {
    const why = PUBLIC_CLIENT_REFUSED[g];
    if (!why) continue;
    const friendly = Object.entries(GRANT_TYPES).find(([, am]) => am === g)?.[0] ?? g;
    return propError(scope, C.publicClientGrantType, {
      problem: `grantTypes has ${friendly}, which a public client must not use: ${why}`,
      received: grantTypes,
      allowed: `"authorization-code" (with PKCE), "refresh-token" and other grants that need no client secret`,
      fix: `remove "${friendly}"${friendly === "client-credentials" ? "; use ServiceApp for a service that signs in as itself" : ""}`,
    });
  }
}
