// Preloaded by scripts/bench.mjs into the alloc-runner it times (node --import): at exit, writes
// the process's own CPU time and peak memory (QEMU apart) to BENCH_USAGE_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKiB: usage.maxRSS,
  }));
});
