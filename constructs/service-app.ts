import { Construct } from "constructs";
import { VALIDATION_CODES as C, propError } from "./errors";
import { tokenDefaults, type ApplicationProps } from "./private/application";
import { checkKnownProps, type PropNames } from "./private/checks";
import { manageClient } from "./private/client";
import type { PublicKeys } from "./public-keys";
import type { Secret } from "./secret";

/** How a service app authenticates at the token endpoint. */
export type ServiceAppAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

/** Props of {@link ServiceApp}. Give exactly one of `clientSecret` and `publicKeys`. */
export interface ServiceAppProps extends ApplicationProps {
  /**
   * The client secret: `Secret.fromEnv("NAME")`, a reference, never the value.
   *
   * @default - none: the service signs assertions (`publicKeys`)
   */
  readonly clientSecret?: Secret;
  /**
   * The public keys that verify the service's `private_key_jwt` assertions:
   * `PublicKeys.fromFile(...)`, `.fromEnv(...)` or `.fromJwks(...)`, read at synth. Never a private key.
   *
   * @default - none: the service authenticates with `clientSecret`
   */
  readonly publicKeys?: PublicKeys;
  /**
   * How the service authenticates at the token endpoint.
   *
   * @default "client_secret_basic" with a `clientSecret`, "private_key_jwt" with `publicKeys`
   */
  readonly tokenEndpointAuthMethod?: ServiceAppAuthMethod;
  /**
   * The grant types the client may use: friendly names (see `GRANT_TYPES`) or AM's strings.
   *
   * @default ["client-credentials"]
   */
  readonly grantTypes?: readonly string[];
}

const PROPS: PropNames<ServiceAppProps> = {
  name: true, clientId: true, owners: true, scopes: true, description: true, defaultScopes: true, accessTokenLifetime: true,
  adopt: true, removalPolicy: true, clientSecret: true, publicKeys: true, tokenEndpointAuthMethod: true, grantTypes: true,
};

const SECRET_METHODS: readonly string[] = ["client_secret_basic", "client_secret_post"];

/**
 * A service application (the console's "Custom Application", OIDC, Service): a confidential OAuth2
 * client that gets tokens as itself with the client-credentials grant, authenticating with a
 * secret or with `private_key_jwt`, and its IDM application record.
 */
export class ServiceApp extends Construct {
  public readonly clientId: string;
  public readonly scopes: readonly string[];
  public readonly grantTypes: readonly string[];

  constructor(scope: Construct, id: string, props: ServiceAppProps) {
    super(scope, id);
    checkKnownProps(this, "ServiceAppProps", props, PROPS);
    const jwks = props.publicKeys?._read(this, "publicKeys");
    const method = props.tokenEndpointAuthMethod ?? (props.publicKeys ? "private_key_jwt" : "client_secret_basic");
    checkCredentials(this, props, method);
    const defaults = tokenDefaults(this, props);
    const client = manageClient(this, "service-app", props, { scopesRequired: true, grantTypes: ["client-credentials"], tokenEndpointAuthMethod: method }, (checked) => ({
      ...checked,
      tokenEndpointAuthMethod: checked.tokenEndpointAuthMethod as ServiceAppAuthMethod,
      ...(jwks ? { jwks: { keys: jwks.keys.map((k) => ({ ...k })) } } : {}),
      ...defaults,
    }));
    this.clientId = props.clientId;
    this.scopes = client.scopes;
    this.grantTypes = client.grantTypes;
  }
}

/** One way to authenticate, and the one the method needs: a secret for the secret methods, public keys for `private_key_jwt`. */
function checkCredentials(scope: Construct, props: ServiceAppProps, method: string): void {
  const fail = (problem: string, fix: string) =>
    propError(scope, C.serviceAppCredentials, {
      problem,
      received: { tokenEndpointAuthMethod: method, clientSecret: props.clientSecret ? "set" : "unset", publicKeys: props.publicKeys ? "set" : "unset" },
      allowed: `clientSecret with "client_secret_basic" or "client_secret_post", or publicKeys with "private_key_jwt"`,
      fix,
    });
  if (props.clientSecret && props.publicKeys) return fail("a service app authenticates one way: it has both clientSecret and publicKeys", "keep one of them");
  if (SECRET_METHODS.includes(method) && !props.clientSecret) return fail(`tokenEndpointAuthMethod ${method} needs clientSecret`, `set clientSecret: Secret.fromEnv("..."), or give publicKeys and use "private_key_jwt"`);
  if (method === "private_key_jwt" && !props.publicKeys) return fail("private_key_jwt needs publicKeys: AM verifies the service's assertions with them", "set publicKeys: PublicKeys.fromFile(...) with the service's public JWK set");
  if (!SECRET_METHODS.includes(method) && method !== "private_key_jwt") return fail(`tokenEndpointAuthMethod ${method} is not one a service app supports here`, `use "client_secret_basic", "client_secret_post" or "private_key_jwt"`);
}
