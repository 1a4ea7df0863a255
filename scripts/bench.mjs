#!/usr/bin/env node
// Runner overhead: the bundled suite booted by plain QEMU, then by alloc-runner with --jobs 1
// and --jobs 2, in the same script on the same machine. Prints medians and ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { buildKernels } from '../dist/build/cargo.js';
import { accelArgs } from '../dist/qemu/accel.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const accel = accelArgs('auto');

const kernels = await buildKernels('test', {
  manifestPath: resolve(ROOT, 'fixtures', 'Cargo.toml'),
  features: ['global_alloc'],
  noDefaultFeatures: false,
  release: false,
  packages: [],
});
// test_allocator never exits (it passes by its screen): plain QEMU would wait for it forever.
const images = kernels.filter((kernel) => kernel.name !== 'test_allocator').map((kernel) => kernel.executable);

function seconds(run) {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// QEMU's own time: each kernel booted one after another, as bootimage runner would.
function plainQemu() {
  for (const image of images) {
    const result = spawnSync('qemu-system-x86_64', [
      '-display', 'none', '-no-reboot', '-serial', 'stdio', '-monitor', 'none',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', ...accel, '-kernel', image,
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 33) throw new Error(`${image} exited with ${result.status} under plain QEMU`);
  }
}

function runner(jobs) {
  const args = [resolve(ROOT, 'bin', 'alloc-runner.js'), 'test', '--jobs', String(jobs), ...images.flatMap((image) => ['--kernel', image])];
  execFileSync('node', args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
}

const measure = (run) => median(Array.from({ length: ROUNDS }, () => seconds(run)));
const plain = measure(plainQemu);
const jobs1 = measure(() => runner(1));
const jobs2 = measure(() => runner(2));

console.log(`alloc-runner benchmark: ${images.length} bundled test kernels, ${ROUNDS} rounds each, medians, accelerator ${accel.join(' ')}`);
console.log(`plain QEMU, one after another:  ${plain.toFixed(3)} s`);
console.log(`alloc-runner --jobs 1:          ${jobs1.toFixed(3)} s   overhead ${(((jobs1 - plain) / plain) * 100).toFixed(1)}% of QEMU's time (target < 10%)`);
console.log(`alloc-runner --jobs 2:          ${jobs2.toFixed(3)} s   ${((jobs2 / jobs1) * 100).toFixed(1)}% of --jobs 1 (target < 60%)`);
