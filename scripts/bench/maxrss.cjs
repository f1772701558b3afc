// Preloaded (node -r) into a process the benchmark measures: appends its peak RSS in KiB to the
// file named by BENCH_MAXRSS_FILE when it exits, whatever it printed.
const { appendFileSync } = require("node:fs");
const file = process.env.BENCH_MAXRSS_FILE;
if (file) process.on("exit", () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
