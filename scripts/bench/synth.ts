/**
 * Child process of the benchmark: synthesizes one bench stack and prints one JSON line with the
 * time spent before main (Node, tsx and the module graph), the construct-and-synth time and the
 * process's peak RSS. A child, so that its memory is its own.
 *
 *   synth.ts OUTDIR BASE_URL OBJECTS [changed|webapps]
 */
import { performance } from "node:perf_hooks";
import { synthBenchStack } from "./stack";

const [outdir, baseUrl, objects, variant] = process.argv.slice(2);
const loadedMs = performance.now();
synthBenchStack({ outdir, baseUrl, objects: Number(objects), changed: variant === "changed", webAppsOnly: variant === "webapps" });
const synthMs = performance.now() - loadedMs;
process.stdout.write(`${JSON.stringify({ loadMs: loadedMs, synthMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
