/**
 * The tenant's journal and origin (see custom-resource.ts for the pattern): the two resources whose
 * provisioners apply every object of one tenant, once per apply.
 *
 * - `Journal` records the journal of code (per object: kind, id, spec hash, secret version), in
 *   parts of under 100 KB each when it is large (`splitJournal`). Terraform replaces it whenever
 *   that changes. Its destroy provisioner runs `cdktf-aic sync` with the old journal (from
 *   `self`: what was applied last) and the new one (a literal); under `terraform destroy` the
 *   sync deletes exactly what the old one lists and applies nothing of code. When the sync fails,
 *   Terraform keeps the old journal, so the next apply (from any checkout, with the state alone)
 *   does the work again, removals included. A successful sync leaves a marker file
 *   (`syncedMarker`) for the create provisioner of the new Journal, which then starts nothing;
 *   without one (the stack's first apply, or a journal lost to `terraform state rm`, `taint` or a
 *   renamed tenant: no destroy provisioner ran) the create provisioner runs the sync with no
 *   previous journal, which converges on code (objects the stack created are recognized, not
 *   refused; removals a lost journal listed cannot be known and stay).
 * - `Origin` never changes. Its destroy provisioner (run by `terraform destroy`, after the
 *   Journal's) does nothing when the Journal's sync deleted the tenant's objects (`destroyedMarker`);
 *   when the verb could not be read from Terraform's argv (not Linux), the Journal's sync applied
 *   code, and the Origin deletes every object code lists.
 */
import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { COMMANDS, MAX_JOURNAL_PARTS, PROVISIONER_ENV, Journal, Spec, TenantRef, destroyedMarker, journalOf, splitJournal, syncedMarker } from "../../src/contract";
import { VALIDATION_CODES, validationMessage } from "../errors";
import { CustomResourceType, LateValue, ManagedObject, PartedValue, addDependency, createCustomResource, createManagedObject } from "./custom-resource";

export class TenantJournal {
  private readonly objects: ManagedObject[] = [];
  private computed?: { count: number; journal: Journal; parts: Journal[] };
  public readonly resource: TerraformResource;
  public readonly origin: TerraformResource;

  constructor(
    scope: Construct,
    cliPath: string,
    private readonly type: CustomResourceType,
    private readonly tenant: TenantRef,
  ) {
    // Late: constructs added after the tenant still belong in the journal.
    const parts = new PartedValue(() => this.parts(), MAX_JOURNAL_PARTS);
    this.origin = createCustomResource(scope, "Origin", type, cliPath, {
      replaceOn: { origin: "cdktf-aic" },
      provisioners: [
        { command: COMMANDS.sync, literalEnvironment: { [PROVISIONER_ENV.teardown]: parts }, when: "destroy", unlessFile: new LateValue(() => destroyedMarker(tenant)) },
      ],
    });
    this.resource = createCustomResource(scope, "Journal", type, cliPath, {
      replaceOn: { journal: parts },
      provisioners: [
        { command: COMMANDS.sync, literalEnvironment: { [PROVISIONER_ENV.desired]: parts }, when: "create", unlessFile: new LateValue(() => syncedMarker(this.journal())) },
        {
          command: COMMANDS.sync,
          environment: { [PROVISIONER_ENV.previous]: "journal" },
          literalEnvironment: { [PROVISIONER_ENV.desired]: parts },
          when: "destroy",
        },
      ],
      dependsOn: [this.origin],
    });
    scope.node.addValidation({
      validate: () => {
        const count = this.parts().length;
        if (count <= MAX_JOURNAL_PARTS) return [];
        return [
          validationMessage(VALIDATION_CODES.journalTooLarge, {
            problem: `the tenant's journal of ${this.objects.length} objects needs ${count} parts, more than a provisioner's environment can carry`,
            received: this.objects.length,
            allowed: `a journal of at most ${MAX_JOURNAL_PARTS} parts (about 8,000 objects per tenant and stack)`,
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

  /** The journal of code, computed once all objects are added (several places read it at synth). */
  journal(): Journal {
    return this.computedOnce().journal;
  }

  /** The parts the journal of code travels in. */
  private parts(): Journal[] {
    return this.computedOnce().parts;
  }

  private computedOnce(): { journal: Journal; parts: Journal[] } {
    if (this.computed?.count !== this.objects.length) {
      const journal = journalOf(this.tenant, this.objects.map((o) => o.spec));
      this.computed = { count: this.objects.length, journal, parts: splitJournal(journal) };
    }
    return this.computed;
  }

  /** Orders `resource` after the journal (its sync). */
  runAfter(resource: TerraformResource): void {
    addDependency(resource, this.resource);
  }
}
