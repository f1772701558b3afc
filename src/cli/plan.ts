/**
 * `cdktf-aic plan`: the live, field-level diff a reviewer reads on a pull request. Reads the
 * synthesized stacks, their last applied state and the tenant; never writes to the tenant.
 */
import { formatOption, parseOptions } from "./args";
import { err, out, paint } from "./output";

const HELP = `Usage: cdktf-aic plan [options]
Compares every object the synthesized stacks manage with the live tenant and prints, per object:
create, update (field: live → desired), delete (no longer in code), or no change; and, apart,
drift: what was changed in the tenant outside code since the last apply. Secrets show as
(sensitive); a bumped secret version as rotate. It only reads the tenant.

  --stack NAME           one stack in the synth output folder (default: every stack)
  --out DIR              the synth output folder (default: cdktf.out)
  --state FILE           the last applied state (default: the stack's local backend file);
                         for other backends: terraform state pull > FILE
  --format FORMAT        text (default), markdown (a pull-request comment), json (see the schema)
  --detailed-exitcode    exit 0: no changes, 1: error, 2: changes present
  --fail-on-unmanaged    exit 3 when the tenant holds web apps, AI agents or grants that no stack
                         in the synth output manages (they are listed either way, never deleted)
Credentials come from the env vars the stack's tenant names.

Exit codes: 0 ok (no changes, with --detailed-exitcode); 1 error, or an object that cannot be
applied as written; 2 changes present (only with --detailed-exitcode); 3 unmanaged objects (only
with --fail-on-unmanaged).`;

export async function planCommand(argv: string[]): Promise<number> {
  const values = parseOptions("plan", argv, {
    help: { type: "boolean", short: "h" },
    stack: { type: "string" },
    out: { type: "string" },
    state: { type: "string" },
    format: { type: "string" },
    "detailed-exitcode": { type: "boolean" },
    "fail-on-unmanaged": { type: "boolean" },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const format = formatOption(values.format, ["text", "markdown", "json"]);

  const [{ runPlan }, { Progress }, render] = await Promise.all([import("../plan/plan"), import("../plan/progress"), import("../plan/render")]);
  const progress = new Progress();
  let report;
  try {
    report = await runPlan({
      outDir: values.out,
      stack: values.stack,
      stateFile: values.state,
      onStage: (s) => progress.update(s),
      onRequest: () => progress.request(),
    });
  } catch (e) {
    progress.done(true);
    throw e;
  }
  progress.done();
  if (format === "json") out(render.renderJson(report));
  else if (format === "markdown") out(render.renderMarkdown(report));
  else out(render.renderText(report, (colour, text) => paint(process.stdout, colour, text)));

  const { problems } = report.summary;
  if (problems > 0) {
    err(`cdktf-aic plan: ${problems} object${problems === 1 ? "" : "s"} cannot be applied as written (see "apply would fail" above)`);
    return 1;
  }
  const unmanaged = report.unmanaged.flatMap((t) => t.objects.map((o) => `${o.count} ${o.kind} in ${t.baseUrl} realm ${t.realm}`));
  if (values["fail-on-unmanaged"] && unmanaged.length > 0) {
    err(`cdktf-aic plan: the tenant holds objects no stack manages (${unmanaged.join(", ")}): declare them (cdktf-aic export writes the code) or delete them in the tenant, or drop --fail-on-unmanaged`);
    return 3;
  }
  return values["detailed-exitcode"] && report.changesPresent ? 2 : 0;
}
