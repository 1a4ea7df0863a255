#!/usr/bin/env node
// alloc-runner against plain QEMU on the same kernels, in interleaved rounds of one script (so the
// machine's drift cancels): one kernel, 32 kernels --jobs 1 against QEMU one after another, and
// 32 kernels --jobs 2 against QEMU two at a time. Prints medians of each round's ratio, the
// runner's own CPU per kernel and its peak memory.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildKernels } from '../dist/build/cargo.js';
import { accelArgs } from '../dist/qemu/accel.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SUITE_SIZE = 32;
const accel = accelArgs('auto');

const kernels = await buildKernels('test', {
  manifestPath: resolve(ROOT, 'fixtures', 'Cargo.toml'),
  features: ['global_alloc'],
  noDefaultFeatures: false,
  release: false,
  packages: [],
});
// test_allocator never exits (it passes by its screen): plain QEMU would wait for it forever.
const bundled = kernels.filter((kernel) => kernel.name !== 'test_allocator').map((kernel) => kernel.executable).sort();
const scratch = mkdtempSync(join(tmpdir(), 'alloc-runner-bench-'));
const suite = Array.from({ length: SUITE_SIZE }, (_, index) => {
  const copy = join(scratch, `${String(index).padStart(2, '0')}-${basename(bundled[index % bundled.length])}`);
  copyFileSync(bundled[index % bundled.length], copy);
  return copy;
});
const single = [suite[0]];

function run(program, args, env = process.env) {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'inherit'], env, cwd: scratch });
    child.on('error', fail);
    child.on('close', (status) => done(status));
  });
}

async function seconds(work) {
  const started = process.hrtime.bigint();
  const extra = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ...extra };
}

// Plain QEMU as bootimage's runner starts it: serial to stdout, isa-debug-exit; exit 33 is success.
async function qemu(image) {
  const status = await run('qemu-system-x86_64', [
    '-display', 'none', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', ...accel, '-kernel', image,
  ]);
  if (status !== 33) throw new Error(`${image} exited with ${status} under plain QEMU`);
}

async function plainQemu(images, jobs) {
  const queue = [...images];
  const worker = async () => {
    for (let image = queue.shift(); image; image = queue.shift()) await qemu(image);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

const usageFile = join(scratch, 'usage.json');
async function runner(images, jobs) {
  const args = [
    '--require', resolve(ROOT, 'scripts', 'bench-usage.cjs'),
    resolve(ROOT, 'bin', 'alloc-runner.js'), 'test', '--jobs', String(jobs),
    ...images.flatMap((image) => ['--kernel', image]),
  ];
  const status = await run(process.execPath, args, { ...process.env, NO_COLOR: '1', BENCH_USAGE_FILE: usageFile });
  if (status !== 0) throw new Error(`alloc-runner test exited with ${status}`);
  return JSON.parse(readFileSync(usageFile, 'utf8'));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const cases = [
  { label: 'one kernel', images: single, jobs: 1, baseline: 'raw qemu -kernel', target: 1.6 },
  { label: `${SUITE_SIZE} kernels, --jobs 1`, images: suite, jobs: 1, baseline: 'QEMU one after another', target: 1.05 },
  { label: `${SUITE_SIZE} kernels, --jobs 2`, images: suite, jobs: 2, baseline: 'QEMU two at a time', target: 1.15 },
];
const rounds = cases.map(() => []);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, test] of cases.entries()) {
      // Alternate which goes first, so neither always runs on a warmer or quieter machine.
      const first = round % 2 === 0;
      const a = first ? await seconds(() => plainQemu(test.images, test.jobs)) : undefined;
      const ours = await seconds(() => runner(test.images, test.jobs));
      const plain = a ?? (await seconds(() => plainQemu(test.images, test.jobs)));
      rounds[index].push({ plain: plain.seconds, ours: ours.seconds, cpuMs: ours.cpuMs, maxRssKiB: ours.maxRssKiB });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const load = loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`alloc-runner benchmark: ${ROUNDS} interleaved rounds, medians; ${availableParallelism()} CPUs, load average ${load}, ${accel.join(' ')}`);
console.log(`one kernel: ${basename(bundled[0]).replace(/-[0-9a-f]{16}$/, '')}; ${SUITE_SIZE} kernels: copies of the ${bundled.length} bundled test kernels that exit (test_allocator waits for its screen)`);
console.log('');
console.log(`${'case'.padEnd(28)}${'QEMU'.padStart(10)}${'alloc-runner'.padStart(14)}${'ratio'.padStart(9)}   target   baseline`);
for (const [index, test] of cases.entries()) {
  const measured = rounds[index];
  const ratio = median(measured.map((one) => one.ours / one.plain));
  const verdict = ratio <= test.target ? 'met' : 'missed';
  console.log(
    `${test.label.padEnd(28)}${median(measured.map((one) => one.plain)).toFixed(3).padStart(8)} s` +
      `${median(measured.map((one) => one.ours)).toFixed(3).padStart(12)} s${ratio.toFixed(2).padStart(8)}x` +
      `   <= ${test.target.toFixed(2)}x ${verdict.padEnd(6)} ${test.baseline}`,
  );
}
console.log('');
for (const [index, test] of cases.entries()) {
  const cpu = median(rounds[index].map((one) => one.cpuMs)) / test.images.length;
  const rss = Math.max(...rounds[index].map((one) => one.maxRssKiB)) / 1024;
  const target = test.images.length > 1 ? `   (target <= 15 ms: ${cpu <= 15 ? 'met' : 'missed'})` : '';
  console.log(`${test.label.padEnd(28)}alloc-runner's own CPU ${cpu.toFixed(1).padStart(6)} ms per kernel, peak RSS ${rss.toFixed(0)} MiB${target}`);
}
