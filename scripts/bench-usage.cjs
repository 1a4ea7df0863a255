// Preloaded by scripts/bench.mjs into the alloc-runner it times (node --require): at exit,
// writes the process's own CPU time and peak memory (QEMU apart) to BENCH_USAGE_FILE.
// CommonJS, as alloc-runner's bin is: an ES module preload (--import) would start Node's
// ES module loader, about 15 ms of CPU that a user's run never spends.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKiB: usage.maxRSS,
  }));
});
