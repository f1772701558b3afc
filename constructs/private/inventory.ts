/**
 * The tenant's inventory: a custom resource replaced whenever the set of objects the stack manages
 * in that tenant changes. Terraform runs no destroy provisioner for a block removed from code, so
 * when a construct disappears the set changes, the inventory is replaced, and its destroy
 * provisioner prunes `previous − current` (previous from its own state, current as a literal).
 */
import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { COMMANDS, Identity, PROVISIONER_ENV, identityKey } from "../../src/contract";
import { CustomResourceType, LateValue, ManagedObject, addDependency, createCustomResource, objectKey } from "./custom-resource";

export class Inventory {
  private readonly objects: ManagedObject[] = [];
  public readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, cliPath: string, type: CustomResourceType) {
    // Late: constructs added after the tenant still belong in the lists.
    this.resource = createCustomResource(scope, id, type, cliPath, {
      replaceOn: { objects: new LateValue(() => this.identities().map(objectKey)) },
      carry: { identities: new LateValue(() => this.identities()) },
      command: COMMANDS.prune,
      environment: { [PROVISIONER_ENV.previous]: "identities" },
      literalEnvironment: { [PROVISIONER_ENV.keep]: new LateValue(() => this.identities()) },
      when: "destroy",
    });
  }

  /** Adds an object; the inventory is created after (and pruned before) every object's Config. */
  add(object: ManagedObject): void {
    this.objects.push(object);
    addDependency(this.resource, object.config);
  }

  /** The objects managed in this tenant, in the order they were added. */
  get managedObjects(): readonly ManagedObject[] {
    return this.objects;
  }

  /** The identities, sorted by key so that the order in code does not matter. */
  identities(): Identity[] {
    const identities = this.objects.map((o) => o.identity);
    return identities.sort((a, b) => (identityKey(a) < identityKey(b) ? -1 : identityKey(a) > identityKey(b) ? 1 : 0));
  }
}
