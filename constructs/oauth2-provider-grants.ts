import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { AicTenant } from "./aic-tenant";
import { VALIDATION_CODES as C, propError } from "./errors";
import { checkKnownProps, isKnownGrantType, resolveGrantTypes, type PropNames } from "./private/checks";

/** What `terraform destroy` (or removing the construct) does to the grant types it declared. */
export type RemovalPolicy = "retain" | "destroy";

/** Props of {@link OAuth2ProviderGrants}. */
export interface OAuth2ProviderGrantsProps {
  /**
   * Grant types that must be enabled on the realm's OAuth2 provider.
   *
   * Friendly names (`"password"`, `"token-exchange"`, `"authorization-code"`, ... — see
   * `GRANT_TYPES`) or AM's own strings. Additive: grant types not listed here are left as they
   * are, since the provider is shared by every client of the realm.
   */
  readonly grantTypes: readonly string[];
  /**
   * What happens to the declared grant types when this construct is destroyed or removed:
   * `"retain"` leaves them on, `"destroy"` switches off again the ones this stack turned on (an
   * apply refuses to declare, with `"destroy"`, a grant type the realm already had).
   *
   * @default "retain"
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Switch the realm's AI agents feature on (in AIC `POST /environment/aiagent?_action=enable`,
   * in AM 8.1 the realm provider's switch after the server property). It is never switched off:
   * `false` leaves it as it is. A stack that declares an `AiAgent` in the realm must set it.
   *
   * @default false
   */
  readonly enableAiAgents?: boolean;
  /**
   * Require PKCE (a code challenge on every authorization request) of `"public-clients"` (SPAs and
   * native apps) or `"all-clients"`: AM's "Code Verifier Parameter Required", realm-wide. Ensured,
   * never relaxed. A realm with an SPA or a native app in the stack must require it of public clients.
   *
   * @default - left as the realm has it
   */
  readonly requirePkce?: "public-clients" | "all-clients";
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<OAuth2ProviderGrantsProps> = { grantTypes: true, removalPolicy: true, enableAiAgents: true, requirePkce: true };

/** `requirePkce` as AM's `codeVerifierEnforced`. */
const PKCE_SETTING = { "public-clients": "public", "all-clients": "true" } as const;

/**
 * The grant types (and optionally the AI agents feature) a realm's OAuth2 provider must have.
 *
 * Optional: when a stack has no OAuth2ProviderGrants for a realm, the provider is taken to be
 * managed elsewhere and its grant types are not checked. When it has one, every grant type a
 * `ConfidentialWebApp` or `AiAgent` of that realm uses must be declared here (checked at synth).
 */
export class OAuth2ProviderGrants extends Construct {
  /** The declared grant types as AM's strings. */
  public readonly grantTypes: readonly string[];
  public readonly removalPolicy: RemovalPolicy;
  /** The PKCE requirement it ensures, if any. */
  public readonly requirePkce?: "public-clients" | "all-clients";

  constructor(scope: Construct, id: string, props: OAuth2ProviderGrantsProps) {
    super(scope, id);
    checkKnownProps(this, "OAuth2ProviderGrantsProps", props, PROPS);
    const grantTypes = resolveGrantTypes(this, "grantTypes", props.grantTypes);
    let removalPolicy = props.removalPolicy ?? "retain";
    if (removalPolicy !== "retain" && removalPolicy !== "destroy") {
      propError(this, C.invalidRemovalPolicy, {
        problem: "removalPolicy is not a removal policy",
        received: removalPolicy,
        allowed: `"retain" or "destroy"`,
        fix: `use "retain" to leave the grant types on when the construct goes away`,
      });
      removalPolicy = "retain";
    }
    const unknown = grantTypes.filter((g) => !isKnownGrantType(g));
    if (unknown.length > 0) {
      Annotations.of(this).addWarning(`grantTypes ${JSON.stringify(unknown)} are not grant types AM ships; passed to AM as they are`);
    }

    if (props.requirePkce !== undefined && !(props.requirePkce in PKCE_SETTING)) {
      propError(this, C.invalidPkceSetting, {
        problem: "requirePkce is not a PKCE requirement",
        received: props.requirePkce,
        allowed: `"public-clients" or "all-clients"`,
        fix: `use "public-clients" to require PKCE of SPAs and native apps`,
      });
    }
    const pkce = props.requirePkce === undefined ? undefined : PKCE_SETTING[props.requirePkce];

    this.grantTypes = grantTypes;
    this.removalPolicy = removalPolicy;
    this.requirePkce = pkce === undefined ? undefined : props.requirePkce;
    const tenant = AicTenant.of(this);
    tenant._manage(this, {
      kind: "oauth2-provider-grants",
      tenant: tenant.tenantRef,
      id: "oauth2-provider",
      owned: { grantTypes, ...(props.enableAiAgents ? { aiAgentsEnabled: true } : {}), ...(pkce ? { codeVerifierEnforced: pkce } : {}) },
      removalPolicy,
    });
  }
}
