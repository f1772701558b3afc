/**
 * jest globalSetup (jest takes one): the run's own temp dir (test/support/temp-check.ts), then the
 * Terraform engine, chosen once per run (test/e2e/engine-setup.ts).
 */
import chooseEngine from "../e2e/engine-setup";
import { setup as tempSetup } from "./temp-check";

export default async function setup(): Promise<void> {
  await tempSetup();
  chooseEngine();
}
