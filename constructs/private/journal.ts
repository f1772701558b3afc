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
 *   does the work again, removals included. A successful sync leaves a marker file for this
 *   Terraform run (`syncedMarker`) for the create provisioner of the new Journal, which then starts nothing;
 *   without one (the stack's first apply, or a journal lost to `terraform state rm`, `taint` or a
 *   renamed tenant: no destroy provisioner ran) the create provisioner runs the sync with no
 *   previous journal, which converges on code (objects the stack created are recognized, not
 *   refused; removals a lost journal listed cannot be known and stay).
 * - `Gate` is replaced with the Journal; every object's resource depends on it, and the Journal
 *   on every object's resource. So Terraform destroys the old Journal (its sync) before any object's
 *   resource, and `apply -target` of an object's resource includes the Gate, whose destroy
 *   provisioner refuses. A resource missing from the state when the sync runs was removed from it
 *   by hand: the sync forgets its object instead of deleting it (`ResourcesInState`).
 * - `Origin` never changes. Its destroy provisioner (run by `terraform destroy`, after the
 *   Journal's) does nothing when the Journal's sync deleted the tenant's objects (`destroyedMarker`);
 *   when the verb could not be read from Terraform's argv (not Linux), the Journal's sync applied
 *   code, and the Origin deletes every object code lists.
 */
import { Construct } from "constructs";
import { Lazy, TerraformResource } from "cdktf";
import { COMMANDS, MAX_JOURNAL_PARTS, PROVISIONER_ENV, Journal, Spec, TenantRef, destroyedMarker, journalHash, journalKey, journalOf, splitJournal, syncedMarker } from "../../src/contract";
import { VALIDATION_CODES, validationMessage } from "../errors";
import { CustomResourceType, LateValue, ManagedObject, PartedValue, TARGET_FLAG, TERRAFORM_ARGV, addDependency, createCustomResource, createManagedObject } from "./custom-resource";

/**
 * The Gate's destroy provisioner: `-target` (of `apply`, or of `destroy`) whose targets need the
 * Gate replaced would change some objects' resources without the sync that applies them, so it
 * fails before anything is written. One `tr` over Terraform's argv from Linux's /proc (the
 * shell's parent); elsewhere it lets the run go on.
 */
const TARGET_GUARD =
  TERRAFORM_ARGV +
  `case "$a" in ${TARGET_FLAG}) ` +
  `echo "cdktf-aic: terraform -target=…: the tenant's journal applies every change of the stack at once, so it cannot act on the targeted objects alone (and would record them as applied); nothing was written. ` +
  `Run it without -target; to remove one object, delete its construct and apply." >&2; exit 1;; esac`;

export class TenantJournal {
  private readonly objects: ManagedObject[] = [];
  private computed?: { count: number; journal: Journal; parts: Journal[] };
  public readonly resource: TerraformResource;
  public readonly origin: TerraformResource;
  public readonly gate: TerraformResource;

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
        { command: COMMANDS.sync, literalEnvironment: { [PROVISIONER_ENV.teardown]: parts }, when: "destroy", unlessFile: new LateValue(() => destroyedMarker(tenant, "$PPID")) },
      ],
    });
    // Replaced with the journal; what every object's resource depends on: `apply -target` of one
    // includes the Gate, whose destroy provisioner refuses (the journal acts on all at once).
    this.gate = createCustomResource(scope, "Gate", type, cliPath, {
      replaceOn: { gate: new LateValue(() => journalHash(this.journal())) },
      onDestroy: TARGET_GUARD,
      dependsOn: [this.origin],
    });
    this.resource = createCustomResource(scope, "Journal", type, cliPath, {
      replaceOn: { journal: parts },
      provisioners: [
        { command: COMMANDS.sync, literalEnvironment: { [PROVISIONER_ENV.desired]: parts }, when: "create", unlessFile: new LateValue(() => syncedMarker(this.journal(), "$PPID")) },
        {
          command: COMMANDS.sync,
          environment: { [PROVISIONER_ENV.previous]: "journal" },
          literalEnvironment: { [PROVISIONER_ENV.desired]: parts },
          when: "destroy",
        },
      ],
    });
    // And on every object's resource, in journal order (code order does not change the stack):
    // its sync runs before Terraform destroys any of them (see ResourcesInState).
    this.resource.addOverride(
      "depends_on",
      Lazy.anyValue({
        produce: () =>
          [this.origin, this.gate, ...[...this.objects].sort((a, b) => (journalKey(a.spec) < journalKey(b.spec) ? -1 : 1)).map((o) => o.resource)].map(
            (r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`,
          ),
      }),
    );
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
    const object = createManagedObject(owner, spec, this.type, this.gate);
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
