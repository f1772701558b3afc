/**
 * jest globalSetup: chooses the Terraform engine once per run (scripts/engine.ts) when it is already
 * installed, announces it, and exports it to the workers so that they neither probe nor print again.
 * `npm test` has done this in scripts/with-tools.sh already. Without an installed engine nothing
 * happens here: the e2e harness builds one (offline) the first time a test needs it, and a run of
 * unit tests alone never does.
 */
import { ANNOUNCED_ENV, announce, chooseEngine } from "../../scripts/engine";

export default function setup(): void {
  if (process.env[ANNOUNCED_ENV]) return;
  let engine;
  try {
    engine = chooseEngine(process.env, { build: false });
  } catch {
    return; // a CDKTF_AIC_TERRAFORM that does not work: the harness says so when a test needs it
  }
  if (!engine) return;
  announce(engine);
  Object.assign(process.env, engine.env, { [ANNOUNCED_ENV]: engine.binary });
}
