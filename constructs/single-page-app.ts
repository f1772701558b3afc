import { Construct } from "constructs";
import { checkCorsOrigins, managePublicClient, type PublicClientProps } from "./private/application";
import type { PropNames } from "./private/checks";

/** Props of {@link SinglePageApp}. */
export interface SinglePageAppProps extends PublicClientProps {
  /**
   * Where the authorization response goes: https URIs of the app (http only to 127.0.0.1, [::1]
   * or localhost, for development), matched exactly. At least one.
   */
  readonly redirectUris: readonly string[];
  /**
   * The browser origins that call the tenant's endpoints (the token endpoint, with the code),
   * e.g. `["https://app.example.com"]`: AM's JavaScript origins of the client. The tenant's CORS
   * settings must allow them too.
   *
   * @default []
   */
  readonly corsOrigins?: readonly string[];
}

const PROPS: PropNames<SinglePageAppProps> = {
  name: true, clientId: true, owners: true, scopes: true, description: true, defaultScopes: true, accessTokenLifetime: true,
  adopt: true, removalPolicy: true, redirectUris: true, corsOrigins: true, grantTypes: true, impliedConsent: true,
};

/**
 * A single-page application (the console's "Custom Application", OIDC, Single-page app): a public
 * OAuth2 client without a secret (token endpoint auth method `none`) that signs users in with the
 * authorization code flow and PKCE, and its IDM application record.
 */
export class SinglePageApp extends Construct {
  public readonly clientId: string;
  public readonly scopes: readonly string[];
  public readonly grantTypes: readonly string[];

  constructor(scope: Construct, id: string, props: SinglePageAppProps) {
    super(scope, id);
    const corsOrigins = [...(props.corsOrigins ?? [])];
    checkCorsOrigins(this, corsOrigins);
    const client = managePublicClient(this, { kind: "spa", what: "single-page app", propsType: "SinglePageAppProps", known: PROPS, redirects: "browser" }, props, { corsOrigins });
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
  }
}
