#!/usr/bin/env node
// The screen watch's cost, in the same script on the same machine:
// 1. host CPU used by alloc-runner (this Node process, not QEMU) per second of a kernel that
//    only waits (misbehaving/hang: halts forever), without a condition, then with a VGA
//    condition pending the whole time (the screen read every 50 ms, then every 20 ms);
// 2. the delay from "Allocator works!" appearing to the verdict, for the bundled
//    test_allocator (it prints the text on serial right after writing it on the screen).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildKernels } from '../dist/build/cargo.js';
import { DEFAULT_CONFIG } from '../dist/project/config.js';
import { Accelerator } from '../dist/qemu/accel.js';
import { runKernel } from '../dist/run/kernel.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WAIT_SECONDS = 3;
const artifacts = mkdtempSync(join(tmpdir(), 'bench-watch-'));
const settings = { qemu: process.env.ALLOC_RUNNER_QEMU ?? 'qemu-system-x86_64', accel: new Accelerator('auto'), extraQemuArgs: [] };

async function image(manifest, mode, name, features = []) {
  const kernels = await buildKernels(mode, { manifestPath: resolve(ROOT, 'fixtures', manifest), features, noDefaultFeatures: false, release: false, packages: [] });
  return kernels.find((kernel) => kernel.name === name).executable;
}
const hang = await image('misbehaving/Cargo.toml', 'test', 'hang');
const seed = await image('Cargo.toml', 'build', 'test_allocator', ['global_alloc']);

let runs = 0;
const boot = (image, config, onLine) =>
  runKernel(
    { name: 'bench', image, imageKind: 'multiboot', config: { ...DEFAULT_CONFIG, ...config }, artifactsDir: join(artifacts, String(runs++)) },
    { ...settings, onLine: (_plan, line) => onLine?.(line) },
  );

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds of this process's CPU per second of the kernel's run. */
async function cpuPerKernelSecond(config) {
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    const result = await boot(hang, { timeout: WAIT_SECONDS, ...config });
    const used = process.cpuUsage(before);
    if (result.status !== 'hang') throw new Error(`hang ended as ${result.status}: ${result.reason}`);
    samples.push((used.user + used.system) / 1000 / (result.durationMs / 1000));
  }
  return median(samples);
}

/** Milliseconds from the text's serial line to the verdict, and the run's wall time. */
async function delayToVerdict(config) {
  const delays = [];
  for (let round = 0; round < ROUNDS; round++) {
    let shownAt;
    const result = await boot(seed, { timeout: 10, ...config }, (line) => {
      if (line === 'Allocator works!') shownAt ??= performance.now();
    });
    const verdictAt = performance.now();
    if (result.status !== 'pass') throw new Error(`test_allocator ended as ${result.status}: ${result.reason}`);
    delays.push(verdictAt - shownAt);
  }
  return median(delays);
}

const idle = await cpuPerKernelSecond({});
const watched50 = await cpuPerKernelSecond({ passWhenVga: 'never shown', vgaPollMs: 50 });
const watched20 = await cpuPerKernelSecond({ passWhenVga: 'never shown', vgaPollMs: 20 });
const vga50 = await delayToVerdict({ passWhenVga: 'Allocator works!', vgaPollMs: 50 });
const vga100 = await delayToVerdict({ passWhenVga: 'Allocator works!', vgaPollMs: 100 });
const serial = await delayToVerdict({ passWhenSerial: '^Allocator works!$' });

const ms = (value) => `${value.toFixed(1)} ms`;
console.log(`screen watch benchmark: ${ROUNDS} rounds each, medians, accelerator ${settings.accel.args().join(' ')}`);
console.log(`alloc-runner CPU per second of a waiting kernel, no condition:        ${ms(idle)}`);
console.log(`  with pass-when-vga pending, screen read every 50 ms (default):      ${ms(watched50)}   ${(watched50 / idle).toFixed(2)}x`);
console.log(`  with pass-when-vga pending, screen read every 20 ms:                ${ms(watched20)}   ${(watched20 / idle).toFixed(2)}x`);
console.log(`text on screen -> verdict, pass-when-vga, every 50 ms (default):     ${ms(vga50)}`);
console.log(`text on screen -> verdict, pass-when-vga, every 100 ms:              ${ms(vga100)}`);
console.log(`text on serial -> verdict, pass-when-serial (baseline: no polling):  ${ms(serial)}`);
