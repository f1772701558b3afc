/**
 * Telling Terraform's verb and targets from its command line (terraform-run.ts). The process walk
 * (/bin/sh's parent) and saved plan files are exercised with real Terraform in test/e2e/verbs.test.ts.
 */
import { terraformVerb } from "../../src/cli/terraform-run";

const noPlan = (file: string): Buffer => {
  throw new Error(`no plan file ${file}`);
};

describe("terraformVerb", () => {
  it.each([
    [["terraform", "destroy", "-auto-approve"], "destroy"],
    [["tofu", "destroy"], "destroy"],
    [["terraform", "-chdir=stacks/alpha", "apply", "-destroy", "-auto-approve"], "destroy"],
    [["terraform", "apply", "--destroy=true"], "destroy"],
    [["terraform", "apply", "-auto-approve", "-input=false"], "apply"],
    [["terraform", "apply", "-destroy=false"], "apply"],
    [["terraform", "apply", "-var", "destroy=1"], "apply"],
  ])("reads %j as %s", (argv, mode) => {
    expect(terraformVerb(argv, noPlan)).toEqual({ mode, targets: [] });
  });

  it("collects every -target, written with = or as the next argument", () => {
    expect(terraformVerb(["terraform", "destroy", "-target=terraform_data.a", "-target", "terraform_data.b", "--target=module.c"], noPlan)).toEqual({
      mode: "destroy",
      targets: ["terraform_data.a", "terraform_data.b", "module.c"],
    });
  });

  it("says unknown for a saved plan file it cannot read, and for a verb that is neither apply nor destroy", () => {
    expect(terraformVerb(["terraform", "apply", "-input=false", "tfplan"], noPlan)).toEqual({ mode: "unknown", targets: [] });
    expect(terraformVerb(["terraform", "apply", "tfplan"], () => Buffer.from("not a zip"))).toEqual({ mode: "unknown", targets: [] });
    expect(terraformVerb(["terraform", "import", "a.b", "id"], noPlan).mode).toBe("unknown");
  });
});
