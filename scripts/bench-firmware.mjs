#!/usr/bin/env node
// Boot to exit under OVMF (UEFI) against SeaBIOS (BIOS) for the same kernel in the same
// hybrid GRUB ISO, through alloc-runner, rounds alternating. Prints medians and the ratio.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildKernels } from '../dist/build/cargo.js';
import { makeGrubImage, requireGrubTools } from '../dist/image/grub.js';
import { RUNNER_CMDLINE } from '../dist/protocol.js';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KERNEL = process.env.BENCH_KERNEL ?? 'heap_basics';

const built = await buildKernels('test', {
  manifestPath: resolve(ROOT, 'fixtures', 'Cargo.toml'),
  features: ['global_alloc'],
  noDefaultFeatures: false,
  release: false,
  packages: [],
});
const kernel = built.find((candidate) => candidate.name === KERNEL);
if (!kernel) throw new Error(`no test kernel ${KERNEL} (built: ${built.map((candidate) => candidate.name).join(', ')})`);
const dir = mkdtempSync(join(tmpdir(), 'alloc-runner-bench-firmware-'));
const iso = join(dir, 'hybrid.iso');
await makeGrubImage('iso', { kernel: kernel.executable, output: iso, cmdline: [RUNNER_CMDLINE], uefi: true }, requireGrubTools('iso'));

/** One boot through alloc-runner: its wall time, and QEMU's time from the guest's start to its end (durationMs). */
function boot(firmware) {
  const report = join(dir, `${firmware}.json`);
  const started = process.hrtime.bigint();
  execFileSync('node', [resolve(ROOT, 'bin', 'alloc-runner.js'), 'test', '--kernel', iso, '--firmware', firmware,
    '--artifacts-dir', join(dir, 'artifacts'), '--reporter', 'json', '--output-file', `json=${report}`], { stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [result] = JSON.parse(readFileSync(report, 'utf8')).kernels;
  if (result.status !== 'pass') throw new Error(`${KERNEL} under ${firmware}: ${result.status}: ${result.reason}`);
  return { wall, qemu: result.durationMs / 1000 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const runs = { bios: [], uefi: [] };
for (let round = 0; round < ROUNDS; round++) for (const firmware of ['bios', 'uefi']) runs[firmware].push(boot(firmware));
const summary = (firmware) => ({ wall: median(runs[firmware].map((run) => run.wall)), qemu: median(runs[firmware].map((run) => run.qemu)) });
const bios = summary('bios');
const uefi = summary('uefi');

console.log(`firmware benchmark: ${KERNEL} in one hybrid GRUB ISO, ${ROUNDS} rounds, medians (boot = guest start to QEMU exit; run = the whole alloc-runner test)`);
console.log(`SeaBIOS (--firmware bios):  boot ${bios.qemu.toFixed(2)} s   run ${bios.wall.toFixed(2)} s`);
console.log(`OVMF (--firmware uefi):     boot ${uefi.qemu.toFixed(2)} s   run ${uefi.wall.toFixed(2)} s   ${(uefi.qemu / bios.qemu).toFixed(1)}x SeaBIOS's boot`);
