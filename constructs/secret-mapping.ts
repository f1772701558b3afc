import { Construct } from "constructs";
import { SecretMappingSpec } from "../src/contract/spec";
import { AicTenant } from "./aic-tenant";
import { VALIDATION_CODES as C, propError } from "./errors";
import { checkEsvId, checkKnownProps, unresolved, type PropNames } from "./private/checks";
import { adoptField, checkObjectRemovalPolicy, type ObjectRemovalPolicy } from "./private/client";
import type { EsvSecretReference } from "./secret";

/** Props of {@link SecretMapping}. */
export interface SecretMappingProps {
  /**
   * The secret label AM reads, e.g. `am.services.oauth2.oidc.signing.RSA`, or a client's
   * `am.applications.oauth2.client.<identifier>.secret` (a client with `Secret.fromEsv` declares
   * that one itself).
   */
  readonly label: string;
  /** The ESV secret AM reads for it: an `EnvironmentSecret` of the stack, or the id of one made elsewhere. */
  readonly secret: string | EsvSecretReference;
  /**
   * Take over the mapping when it already exists in the realm but was not created by this stack.
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * `"retain"` leaves the mapping in the realm, no longer managed, when this construct leaves the code.
   *
   * @default "destroy"
   */
  readonly removalPolicy?: ObjectRemovalPolicy;
}

const PROPS: PropNames<SecretMappingProps> = { label: true, secret: true, adopt: true, removalPolicy: true };

/**
 * A mapping of the realm's ESV secret store: AM reads the secret of `label` from an ESV secret.
 * AM configuration, not an ESV: a change needs no tenant restart. The apply refuses a mapping to an
 * ESV secret that neither exists nor is created by the same apply.
 */
export class SecretMapping extends Construct {
  /** The secret label. */
  public readonly label: string;
  /** The ESV secret it reads. */
  public readonly esvId: string;

  constructor(scope: Construct, id: string, props: SecretMappingProps) {
    super(scope, id);
    checkKnownProps(this, "SecretMappingProps", props, PROPS);
    const esvId = typeof props.secret === "string" ? props.secret : props.secret.esvId;
    if (!unresolved(props.label) && !SecretMappingSpec.shape.id.safeParse(props.label).success) {
      propError(this, C.invalidSecretLabel, {
        problem: "label is not a secret label",
        received: props.label,
        allowed: "letters and digits in parts joined by single dots or dashes, e.g. am.services.oauth2.oidc.signing.RSA",
        fix: "use the label as Ping's list of secret labels names it",
      });
    }
    checkEsvId(this, "secret", esvId);
    const tenant = AicTenant.of(this);
    tenant._manage(this, {
      kind: "secret-mapping",
      tenant: tenant.tenantRef,
      id: props.label,
      owned: { esv: esvId },
      ...adoptField(props.adopt, checkObjectRemovalPolicy(this, props.removalPolicy)),
    });
    this.label = props.label;
    this.esvId = esvId;
  }
}
