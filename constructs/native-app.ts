import { Construct } from "constructs";
import { managePublicClient, type PublicClientProps } from "./private/application";
import type { PropNames } from "./private/checks";

/** Props of {@link NativeApp}. */
export interface NativeAppProps extends PublicClientProps {
  /**
   * Where the authorization response goes: a private-use scheme of the app
   * (`com.example.app:/oauth2redirect`), a loopback URI (`http://127.0.0.1/callback`: AM then
   * accepts any port, as RFC 8252 §7.3 asks) or a claimed https URI. At least one.
   */
  readonly redirectUris: readonly string[];
}

const PROPS: PropNames<NativeAppProps> = {
  name: true, clientId: true, owners: true, scopes: true, description: true, defaultScopes: true, accessTokenLifetime: true,
  adopt: true, removalPolicy: true, redirectUris: true, grantTypes: true, impliedConsent: true,
};

/**
 * A native (mobile or desktop) application (the console's "Custom Application", OIDC, Native): a
 * public OAuth2 client without a secret that signs users in with the authorization code flow and
 * PKCE through the system browser, and its IDM application record.
 */
export class NativeApp extends Construct {
  public readonly clientId: string;
  public readonly scopes: readonly string[];
  public readonly grantTypes: readonly string[];

  constructor(scope: Construct, id: string, props: NativeAppProps) {
    super(scope, id);
    const client = managePublicClient(this, { kind: "native-app", what: "native app", propsType: "NativeAppProps", known: PROPS, redirects: "native" }, props);
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
  }
}
