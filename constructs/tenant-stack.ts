import { Construct } from "constructs";
import { LocalBackend, TerraformBackend, TerraformStack } from "cdktf";
import { AicTenant, AicTenantProps } from "./aic-tenant";
import { StackValidationError } from "./errors";
import { checkKnownProps, type PropNames } from "./private/checks";

/** Props of {@link TenantStack}. */
export interface TenantStackProps {
  /** The tenant every construct of the stack configures. */
  readonly tenant: AicTenantProps;
  /**
   * Whether to add a `local` backend whose state file path is relative:
   * `terraform.<stack id>.tfstate` in the stack's Terraform working directory
   * (`cdktf.out/stacks/<stack id>`), so the synthesized stack holds no absolute path of the machine
   * that synthesized it. Keep `cdktf.out` (or use a shared backend) to keep the state.
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
    checkKnownProps(this, "TenantStackProps", props, PROPS);
    this.tenant = new AicTenant(this, "Tenant", props.tenant);
    this.addLocalBackend = props.backend ?? true;
  }

  /** Adds the relative local backend at synth time, unless the stack has a backend by then. */
  public override prepareStack(): void {
    if (this.addLocalBackend && !this.node.findAll().some(TerraformBackend.isBackend)) {
      new LocalBackend(this, { path: `terraform.${this.node.id}.tfstate` });
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
