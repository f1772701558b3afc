import { Construct } from "constructs";
import { LocalBackend, TerraformBackend, TerraformStack } from "cdktf";
import { LOCAL_DIR } from "../src/contract/constants";
import { AicTenant, AicTenantProps } from "./aic-tenant";
import { StackValidationError, collectPropErrors } from "./errors";
import { checkKnownProps, type PropNames } from "./private/checks";

/** Props of {@link TenantStack}. */
export interface TenantStackProps {
  /** The tenant every construct of the stack configures. */
  readonly tenant: AicTenantProps;
  /**
   * Whether to add a `local` backend whose state file lives outside the synth output, so that
   * `rm -rf cdktf.out` never loses it: `.cdktf-aic/state/<stack id>.tfstate` beside the synth
   * output folder (beside `cdktf.json` by default). The path is
   * relative to the stack's Terraform working directory (`cdktf.out/stacks/<stack id>`), so the
   * synthesized stack holds no absolute path of the machine that synthesized it. In CI, use a
   * shared backend.
   *
   * A backend you add to the stack yourself (e.g. `new S3Backend(stack, {...})`) always wins.
   * `false` leaves the choice to cdktf, whose default local backend has an absolute path.
   *
   * @default true
   */
  readonly backend?: boolean;
}

/** The props, for the check of unknown ones at run time (checkKnownProps). */
const PROPS: PropNames<TenantStackProps> = { tenant: true, backend: true };

/** A Terraform stack that configures one tenant: an {@link AicTenant} with the id `Tenant`. */
export class TenantStack extends TerraformStack {
  /** The tenant the constructs of this stack configure. */
  public readonly tenant: AicTenant;
  private readonly addLocalBackend: boolean;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id);
    // Its constructs' prop errors come at synth, all at once (runAllValidations), not the first alone.
    collectPropErrors(this);
    checkKnownProps(this, "TenantStackProps", props, PROPS);
    this.tenant = new AicTenant(this, "Tenant", props.tenant);
    this.addLocalBackend = props.backend ?? true;
  }

  /** Adds the local backend at synth time, unless the stack has a backend by then. */
  public override prepareStack(): void {
    if (this.addLocalBackend && !this.node.findAll().some(TerraformBackend.isBackend)) {
      // From <outdir>/stacks/<id> (where Terraform runs) up to the folder that holds <outdir>.
      new LocalBackend(this, { path: `../../../${LOCAL_DIR}/state/${this.node.id}.tfstate` });
    }
    super.prepareStack();
  }

  /**
   * Every validation error of the stack at once, each once, without cdktf's stack trace (unless
   * CDKTF_AIC_DEBUG=1): a {@link StackValidationError}.
   */
  public override runAllValidations(): void {
    const problems = this.node.findAll().flatMap((c) => c.node.validate().map((message) => `[${c.node.path}] ${message}`));
    if (problems.length > 0) throw new StackValidationError(this.node.path, problems);
  }
}
