import { Construct } from "constructs";
import { LocalBackend, TerraformBackend, TerraformStack } from "cdktf";
import { AicTenant, AicTenantProps } from "./aic-tenant";

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

/** A Terraform stack that configures one tenant: an {@link AicTenant} with the id `Tenant`. */
export class TenantStack extends TerraformStack {
  /** The tenant the constructs of this stack configure. */
  public readonly tenant: AicTenant;
  private readonly addLocalBackend: boolean;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    super(scope, id);
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
}
