/**
 * The tenant's inventory: a custom resource replaced whenever the set of objects the stack manages
 * in that tenant changes. Terraform runs no destroy provisioner for a block removed from code, so
 * when a construct disappears the set changes, the inventory is replaced, and its destroy
 * provisioner prunes `previous − current` (previous from its own state, current as a literal).
 */
import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import {
  COMMANDS,
  Identity,
  PROVISIONER_ENV,
  TenantRef,
  canonicalJson,
  identityKey,
  inventoryList,
} from "../../src/contract";
import { VALIDATION_CODES, validationMessage } from "../errors";
import { CustomResourceType, LateValue, ManagedObject, addDependency, createCustomResource, objectKey } from "./custom-resource";

/** Linux allows 128 KiB per environment variable; keep a margin for the shell. */
const MAX_INVENTORY_BYTES = 120 * 1024;

export class Inventory {
  private readonly objects: ManagedObject[] = [];
  public readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, cliPath: string, type: CustomResourceType, tenant: TenantRef) {
    // Late: constructs added after the tenant still belong in the lists.
    const list = () => inventoryList(tenant, this.identities());
    this.resource = createCustomResource(scope, id, type, cliPath, {
      replaceOn: { objects: new LateValue(() => this.identities().map(objectKey)) },
      carry: { inventory: new LateValue(list) },
      command: COMMANDS.prune,
      environment: { [PROVISIONER_ENV.previous]: "inventory" },
      literalEnvironment: { [PROVISIONER_ENV.keep]: new LateValue(list) },
      when: "destroy",
    });
    scope.node.addValidation({
      validate: () => {
        const bytes = Buffer.byteLength(canonicalJson(list()));
        if (bytes <= MAX_INVENTORY_BYTES) return [];
        return [
          validationMessage(VALIDATION_CODES.inventoryTooLarge, {
            problem: `the tenant's inventory of ${this.objects.length} objects is ${bytes} bytes of JSON, more than a provisioner's environment variable can carry`,
            received: this.objects.length,
            allowed: `an inventory of at most ${MAX_INVENTORY_BYTES} bytes (a few thousand objects per tenant and stack)`,
            fix: "split the objects over two stacks",
          }),
        ];
      },
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
