/**
 * The tenant's journal and origin (see custom-resource.ts for the pattern): the two resources whose
 * provisioners apply every object of one tenant, once per apply.
 *
 * - `Journal` records the journal of code (per object: kind, id, spec hash, secret version).
 *   Terraform replaces it whenever that changes; its destroy provisioner runs `cdktf-aic sync` with
 *   the old journal (from `self`: what was applied last) and the new one (a literal). When the sync
 *   fails, Terraform keeps the old journal, so the next apply (from any checkout, with the state
 *   alone) does the work again, removals included.
 * - `Origin` never changes. Its create provisioner runs the first sync (nothing applied before);
 *   its destroy provisioner (run by `terraform destroy`) deletes every object code lists.
 */
import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { COMMANDS, PROVISIONER_ENV, Journal, Spec, TenantRef, canonicalJson, journalOf } from "../../src/contract";
import { VALIDATION_CODES, validationMessage } from "../errors";
import { CustomResourceType, LateValue, ManagedObject, addDependency, createCustomResource, createManagedObject } from "./custom-resource";

/** Linux allows 128 KiB per environment variable; keep a margin for the shell. */
const MAX_JOURNAL_BYTES = 120 * 1024;

export class TenantJournal {
  private readonly objects: ManagedObject[] = [];
  private computed?: { count: number; journal: Journal };
  public readonly resource: TerraformResource;
  public readonly origin: TerraformResource;

  constructor(
    scope: Construct,
    cliPath: string,
    private readonly type: CustomResourceType,
    private readonly tenant: TenantRef,
  ) {
    // Late: constructs added after the tenant still belong in the journal.
    const journal = new LateValue(() => this.journal());
    const empty: Journal = { tenant, objects: {} };
    this.origin = createCustomResource(scope, "Origin", type, cliPath, {
      replaceOn: { origin: "cdktf-aic" },
      provisioners: [
        { command: COMMANDS.sync, literalEnvironment: { [PROVISIONER_ENV.desired]: journal }, when: "create" },
        {
          command: COMMANDS.sync,
          literalEnvironment: { [PROVISIONER_ENV.previous]: journal, [PROVISIONER_ENV.desired]: empty },
          when: "destroy",
        },
      ],
    });
    this.resource = createCustomResource(scope, "Journal", type, cliPath, {
      replaceOn: { journal },
      provisioners: [
        {
          command: COMMANDS.sync,
          environment: { [PROVISIONER_ENV.previous]: "journal" },
          literalEnvironment: { [PROVISIONER_ENV.desired]: journal },
          when: "destroy",
        },
      ],
      dependsOn: [this.origin],
    });
    scope.node.addValidation({
      validate: () => {
        const bytes = Buffer.byteLength(canonicalJson(this.journal()));
        if (bytes <= MAX_JOURNAL_BYTES) return [];
        return [
          validationMessage(VALIDATION_CODES.journalTooLarge, {
            problem: `the tenant's journal of ${this.objects.length} objects is ${bytes} bytes of JSON, more than a provisioner's environment variable can carry`,
            received: this.objects.length,
            allowed: `a journal of at most ${MAX_JOURNAL_BYTES} bytes (about a thousand objects per tenant and stack)`,
            fix: "split the objects over two stacks",
          }),
        ];
      },
    });
  }

  /** Makes the journal apply the object `spec` describes, recorded by a `Resource` child of `owner`. */
  manage(owner: Construct, spec: Spec): ManagedObject {
    const object = createManagedObject(owner, spec, this.type, this.resource);
    this.objects.push(object);
    return object;
  }

  /** The journal of code, computed once all objects are added (five places read it at synth). */
  journal(): Journal {
    if (this.computed?.count !== this.objects.length) {
      this.computed = { count: this.objects.length, journal: journalOf(this.tenant, this.objects.map((o) => o.spec)) };
    }
    return this.computed.journal;
  }

  /** Orders `resource` after the journal (its sync). */
  runAfter(resource: TerraformResource): void {
    addDependency(resource, this.resource);
  }
}
