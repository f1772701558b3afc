import { Construct, IConstruct } from "constructs";
import { TokenEndpointAuthMethod } from "../src/contract";
import { tokenDefaults } from "./private/application";
import { checkClientId, checkKnownProps, type PropNames } from "./private/checks";
import { manageClient, type ObjectRemovalPolicy } from "./private/client";
import type { Secret } from "./secret";

/** A confidential web application of the realm, managed here or imported. */
export interface IConfidentialWebApp extends IConstruct {
  /** The OAuth2 client id (the application's `ssoEntities.oidcId`). */
  readonly clientId: string;
  /** The scopes the application serves; `undefined` when unknown (an imported application). */
  readonly scopes?: readonly string[];
  /** The application's grant types as AM's strings; `undefined` when unknown. */
  readonly grantTypes?: readonly string[];
}

/** Props of {@link ConfidentialWebApp}. */
export interface ConfidentialWebAppProps {
  /** The application's display name, e.g. `Digital Assistant Web App`. */
  readonly name: string;
  /** The OAuth2 client id: letters, digits, `-` and `_`. Unique in the realm among apps and agents. */
  readonly clientId: string;
  /** The client secret, a reference, never the value: `Secret.fromEnv("NAME")` (the apply writes it), or `Secret.fromEsv(esv)` (AM reads it from the tenant's secret store; no pipeline holds it). */
  readonly clientSecret: Secret;
  /**
   * User names of the application's owners.
   *
   * @default [] (no owners)
   */
  readonly owners?: readonly string[];
  /** The scopes the application serves, e.g. `["openid", "read-data"]`. At least one. */
  readonly scopes: readonly string[];
  /**
   * The grant types the client may use: friendly names (see `GRANT_TYPES`) or AM's strings.
   *
   * @default ["authorization-code"] (what the console's OIDC Web template sets)
   */
  readonly grantTypes?: readonly string[];
  /**
   * How the client authenticates at the token endpoint.
   *
   * @default "client_secret_basic" (AM's default)
   */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /**
   * Redirect URIs for the authorization code flow.
   *
   * @default []
   */
  readonly redirectUris?: readonly string[];
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
   * Take over the object when it already exists in the tenant but was not created by this stack
   * (made in the console, say). Without it such an apply fails before any write. Adopting
   * reconciles the owned fields (writing nothing when they already match) and needs no secret;
   * from then on the object is managed like any other (deleted when it leaves the code).
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * What happens to the object when this construct leaves the code: `"destroy"` deletes it from the
   * tenant on the next apply; `"retain"` forgets it (it stays in the tenant, no longer managed).
   * Set `"retain"` and apply before removing the construct, since the last applied journal is what
   * the removal reads (a way to stop managing an object, or to move it to another stack).
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<ConfidentialWebAppProps> = {
  name: true, clientId: true, clientSecret: true, owners: true, scopes: true, grantTypes: true, tokenEndpointAuthMethod: true,
  redirectUris: true, description: true, defaultScopes: true, accessTokenLifetime: true, adopt: true, removalPolicy: true,
};

/**
 * A custom OIDC Web application with a confidential client (the console's "Custom Application",
 * OIDC, Web): the AM OAuth2 client and the IDM application record.
 */
export class ConfidentialWebApp extends Construct implements IConfidentialWebApp {
  /**
   * An application that exists in the tenant and is not managed by this stack. Nothing is created;
   * its scopes are unknown, so grants to it are not checked against them.
   */
  static fromClientId(scope: Construct, id: string, clientId: string): IConfidentialWebApp {
    return new ImportedConfidentialWebApp(scope, id, clientId);
  }

  public readonly clientId: string;
  public readonly scopes: readonly string[];
  public readonly grantTypes: readonly string[];

  constructor(scope: Construct, id: string, props: ConfidentialWebAppProps) {
    super(scope, id);
    checkKnownProps(this, "ConfidentialWebAppProps", props, PROPS);
    const defaults = tokenDefaults(this, props);
    const client = manageClient(
      this,
      "web-app",
      props,
      { scopesRequired: true, grantTypes: ["authorization-code"], tokenEndpointAuthMethod: "client_secret_basic" },
      (checked) => ({
        ...checked,
        redirectUris: [...(props.redirectUris ?? [])],
        ...defaults,
      }),
    );
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
  }
}

class ImportedConfidentialWebApp extends Construct implements IConfidentialWebApp {
  constructor(
    scope: Construct,
    id: string,
    public readonly clientId: string,
  ) {
    super(scope, id);
    checkClientId(this, "clientId", clientId);
  }
}
