/**
 * What the applications and AI agents share: all are OAuth2 clients of the realm with a name,
 * owners, scopes, grant types, an authentication method and, unless public, a secret.
 */
import { CLIENT_SECRET_METHODS } from "../../src/contract/constants";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { GRANT_TYPES, TokenEndpointAuthMethod, type ClientKind, type SpecOf } from "../../src/contract";
import { clientSecretLabel, defaultLabelIdentifier } from "../../src/contract/esv";
import { AicTenant } from "../aic-tenant";
import { SecretMapping } from "../secret-mapping";
import { VALIDATION_CODES as C, propError, validationMessage } from "../errors";
import type { Secret } from "../secret";
import {
  checkClientId,
  checkNames,
  checkNonEmpty,
  checkScopes,
  checkSecret,
  checkTokenEndpointAuthMethod,
  resolveGrantTypes,
} from "./checks";
import { ManagedObject, managedObjectsByKey } from "./custom-resource";

export interface ClientPropsInput {
  readonly name: string;
  readonly clientId: string;
  /** Absent for a client without a secret the stack writes (a public client, `private_key_jwt`). */
  readonly clientSecret?: Secret;
  readonly owners?: readonly string[];
  readonly description?: string;
  readonly scopes?: readonly string[];
  readonly grantTypes?: readonly string[];
  readonly tokenEndpointAuthMethod?: string;
  readonly adopt?: boolean;
  readonly removalPolicy?: ObjectRemovalPolicy;
}

export interface ClientDefaults {
  readonly scopesRequired: boolean;
  readonly grantTypes: readonly string[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
}

/** The client's owned fields as the spec carries them, after the props checks. */
export interface CheckedClient {
  readonly name: string;
  readonly description?: string;
  readonly owners: string[];
  readonly scopes: string[];
  readonly grantTypes: string[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
}

/** Checks the props every client has and applies the construct's defaults. */
function checkClientProps(scope: Construct, props: ClientPropsInput, defaults: ClientDefaults): CheckedClient {
  checkNonEmpty(scope, "name", props.name);
  checkClientId(scope, "clientId", props.clientId);
  if (props.clientSecret) checkSecret(scope, "clientSecret", props.clientSecret, true);
  const owners = [...(props.owners ?? [])];
  checkNames(scope, "owners", owners);
  const scopes = [...(props.scopes ?? [])];
  checkScopes(scope, "scopes", scopes, defaults.scopesRequired);
  const grantTypes = resolveGrantTypes(scope, "grantTypes", props.grantTypes ?? defaults.grantTypes);
  const tokenEndpointAuthMethod = checkTokenEndpointAuthMethod(
    scope,
    "tokenEndpointAuthMethod",
    props.tokenEndpointAuthMethod ?? defaults.tokenEndpointAuthMethod,
  );
  return {
    name: props.name,
    ...(props.description === undefined ? {} : { description: props.description }),
    owners,
    scopes,
    grantTypes,
    tokenEndpointAuthMethod,
  };
}

type ClientSpec = { [K in ClientKind]: SpecOf<K> };

/**
 * Checks a client's props (first, before any child exists), has the tenant manage the object, and
 * checks its grant types against the realm's provider grants once the whole stack exists.
 */
export function manageClient<K extends keyof ClientSpec>(
  owner: Construct,
  kind: K,
  props: ClientPropsInput,
  defaults: ClientDefaults,
  owned: (client: CheckedClient) => ClientSpec[K]["owned"],
): CheckedClient & { readonly object: ManagedObject } {
  const client = checkClientProps(owner, props, defaults);
  const tenant = AicTenant.of(owner);
  const removalPolicy = checkObjectRemovalPolicy(owner, props.removalPolicy);
  const store = props.clientSecret ? storeSecret(owner, props.clientSecret, props.clientId, client) : undefined;
  const ref = props.clientSecret?.toSecretRef();
  const spec = {
    kind,
    tenant: tenant.tenantRef,
    id: props.clientId,
    owned: { ...owned(client), ...(store ? { secretLabelIdentifier: store.identifier } : {}) },
    ...(ref ? { secret: ref } : {}),
    ...adoptField(props.adopt, removalPolicy),
  };
  // The kind and its owned fields go together (K), which TypeScript cannot see through the spread.
  const object = tenant._manage(owner, spec as unknown as ClientSpec[K]);
  owner.node.addValidation({ validate: () => providerGrantErrors(object, client.grantTypes) });
  // The realm maps the client's label to the ESV: leaving, adopted or retained together with the client.
  if (store) new SecretMapping(owner, "SecretMapping", { label: clientSecretLabel(store.identifier), secret: store.esvId, adopt: props.adopt, removalPolicy });
  return Object.assign(client, { object });
}

/** The methods a secret from the store can authenticate (the label's `.secret` is a client secret). */
const STORE_SECRET_METHODS: readonly TokenEndpointAuthMethod[] = CLIENT_SECRET_METHODS;

/** A client secret in the tenant's store: its ESV and the client's label identifier; undefined for one in the environment. */
function storeSecret(owner: Construct, secret: Secret, clientId: string, client: CheckedClient): { esvId: string; identifier: string } | undefined {
  const source = secret.source;
  if (source.type !== "esv") return undefined;
  if (!STORE_SECRET_METHODS.includes(client.tokenEndpointAuthMethod)) {
    propError(owner, C.secretStoreClientAuthMethod, {
      problem: "a client secret from the tenant's store (Secret.fromEsv) authenticates with a client secret method only",
      received: client.tokenEndpointAuthMethod,
      allowed: STORE_SECRET_METHODS.map((m) => `"${m}"`).join(" or "),
      fix: `set tokenEndpointAuthMethod to "client_secret_basic" or "client_secret_post"`,
    });
  }
  return { esvId: source.esvId, identifier: source.labelIdentifier ?? defaultLabelIdentifier(clientId) };
}

/** What happens to a managed object when its construct leaves the code (see the constructs' `removalPolicy`). */
export type ObjectRemovalPolicy = "destroy" | "retain";

/** Checks an object's `removalPolicy` prop. */
export function checkObjectRemovalPolicy(scope: Construct, value: unknown): ObjectRemovalPolicy | undefined {
  if (value === undefined || value === "destroy" || value === "retain") return value;
  propError(scope, C.invalidRemovalPolicy, {
    problem: "removalPolicy is not a removal policy",
    received: value,
    allowed: `"destroy" or "retain"`,
    fix: `use "retain" to leave the object in the tenant, no longer managed, when its construct leaves the code`,
  });
  return undefined;
}

/** The spec's `adopt` and `removalPolicy` fields: present only when set, so specs without them synthesize as before. */
export function adoptField(adopt: boolean | undefined, removalPolicy?: ObjectRemovalPolicy): { adopt?: true; removalPolicy?: "retain" } {
  return { ...(adopt === true ? { adopt: true } : {}), ...(removalPolicy === "retain" ? { removalPolicy } : {}) };
}

const kindInRealm = (o: ManagedObject): string => `${o.tenantKey}|${o.spec.kind}`;

/** The OAuth2ProviderGrants of the client's realm in the app (none: the provider is managed elsewhere). */
export function realmProviders(client: ManagedObject): ManagedObject[] {
  return managedObjectsByKey(client.owner, kindInRealm).get(`${client.tenantKey}|oauth2-provider-grants`) ?? [];
}

/**
 * Grant types the client uses that no OAuth2ProviderGrants of its realm declares. No
 * OAuth2ProviderGrants for the realm at all means the provider is managed elsewhere: no error.
 */
export function providerGrantErrors(client: ManagedObject, grantTypes: readonly string[]): string[] {
  const providers = realmProviders(client);
  if (providers.length === 0) return [];
  const declared = new Set(providers.flatMap((p) => (p.spec.kind === "oauth2-provider-grants" ? p.spec.owned.grantTypes : [])));
  // A token on either side is known only when Terraform runs.
  if ([...grantTypes, ...declared].some((g) => Token.isUnresolved(g))) return [];
  const missing = grantTypes.filter((g) => !declared.has(g));
  if (missing.length === 0) return [];
  const friendly = missing.map((g) => Object.entries(GRANT_TYPES).find(([, am]) => am === g)?.[0] ?? g);
  return [
    validationMessage(C.providerGrantTypeMissing, {
      problem: `the client uses grant types that ${providers.map((p) => p.owner.node.path).join(", ")} does not enable on the provider, so the token endpoint would answer unsupported_grant_type`,
      received: missing,
      allowed: `grant types listed in the realm's OAuth2ProviderGrants: ${JSON.stringify([...declared])}`,
      fix: `add ${JSON.stringify(friendly)} to the grantTypes of ${providers[0].owner.node.path}`,
    }),
  ];
}
