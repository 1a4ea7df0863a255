import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/environment.js';
import { ExitCode } from '../../src/errors.js';
import { makeGrubImage } from '../../src/image/grub.js';
import { detectImageKind } from '../../src/image/kind.js';
import { parseBootimageConfig } from '../../src/project/bootimage.js';
import { kernelConfig } from '../../src/project/config.js';
import { Accelerator } from '../../src/qemu/accel.js';
import { RUNNER_CMDLINE } from '../../src/protocol.js';
import { runKernel } from '../../src/run/kernel.js';
import { bootimagePlan } from '../../src/run/plan.js';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, CLI, FIXTURES } from './helpers.js';

const BOOT_PATHS = ['kernel', 'iso', 'disk'] as const;

/** What a run decided: each kernel's verdict and each test's, by kernel name (Cargo's order varies). */
function verdicts(report: JsonReport) {
  return report.kernels
    .map((kernel) => ({
      kernel: kernel.name,
      status: kernel.status,
      tests: kernel.tests.map((test) => `${test.number} ${test.name}: ${test.status}`),
    }))
    .sort((a, b) => a.kernel.localeCompare(b.kernel));
}

// The bundled suite through every boot path: -kernel, a GRUB ISO and a GRUB raw disk.
describe('alloc-runner test --boot kernel|iso|disk on the bundled kernel', () => {
  const reports = new Map<string, JsonReport>();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boot-paths-'));
    for (const boot of BOOT_PATHS) {
      const out = join(dir, `${boot}.json`);
      const run = await alloc(['test', '--features', 'global_alloc', '--boot', boot, '--reporter', 'json', '--output-file', `json=${out}`]);
      expect(run.exitCode, run.all).toBe(0);
      reports.set(boot, JSON.parse(readFileSync(out, 'utf8')) as JsonReport);
    }
  });

  it('passes every kernel through each path with the same verdicts', () => {
    const byKernel = verdicts(reports.get('kernel')!);
    expect(byKernel.length).toBeGreaterThanOrEqual(4);
    expect(byKernel.every((kernel) => kernel.status === 'pass')).toBe(true);
    expect(verdicts(reports.get('iso')!)).toEqual(byKernel);
    expect(verdicts(reports.get('disk')!)).toEqual(byKernel);
  });

  it('boots the image it made, and reads the screen through GRUB as through -kernel', async () => {
    for (const [boot, kind, drive] of [['iso', 'iso', 'media=cdrom'], ['disk', 'disk', 'format=raw,file=']] as const) {
      for (const kernel of reports.get(boot)!.kernels) {
        expect(await detectImageKind(kernel.image)).toBe(kind);
        expect(kernel.qemuCommand.join(' ')).toContain(drive);
        expect(kernel.qemuCommand).not.toContain('-kernel');
        expect(kernel.screenText, kernel.noScreenReason).toContain('Booted in 64-bit long mode');
      }
    }
  });
});

describe('alloc-runner build --image iso|disk', () => {
  it('makes bootable images of the demo kernel that alloc-runner then boots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-image-'));
    for (const [image, kind] of [['iso', 'iso'], ['disk', 'disk']] as const) {
      const output = join(dir, `demo.${image}`);
      const build = await alloc(['build', '--features', 'global_alloc', '--bin', 'kernel', '--image', image, '--output', output]);
      expect(build.exitCode, build.all).toBe(0);
      expect(build.stdout).toContain(`at ${output}`);
      expect(await detectImageKind(output)).toBe(kind);
      const run = await alloc(['test', '--kernel', output]);
      expect(run.exitCode, run.all).toBe(0);
      expect(run.stdout).toMatch(/^PASS {2}demo\.\w+ /m);
    }
  });

  it('refuses to put an image into an image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-image-'));
    const iso = join(dir, 'a.iso');
    expect((await alloc(['build', '--features', 'global_alloc', '--image', 'iso', '--output', iso])).exitCode).toBe(0);
    const again = await alloc(['test', '--kernel', iso, '--boot', 'disk']);
    expect(again.exitCode).toBe(ExitCode.Usage);
    expect(again.stderr).toContain('is already an ISO image');
  });
});

describe('without the GRUB tools', () => {
  it('--boot iso and build --image disk stop before building, naming the apt packages', async () => {
    // A PATH with node alone: no grub-mkrescue, no mtools (QEMU is named by its full path).
    const bin = mkdtempSync(join(tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const qemu = findExecutable('qemu-system-x86_64')!;
    for (const args of [['test', '--boot', 'iso', '--qemu', qemu], ['build', '--image', 'disk']]) {
      const run = await execa(process.execPath, [CLI, ...args], { env: { PATH: bin, NO_COLOR: '1' }, extendEnv: false, reject: false, cwd: FIXTURES });
      expect(run.exitCode, run.stderr).toBe(ExitCode.Environment);
      expect(run.stderr).toContain('sudo apt-get install grub-pc-bin grub-common xorriso mtools');
    }
  });
});

// bootimage cannot be installed here (no crates.io): what can be checked for real is checked.
describe('bootimage projects', () => {
  /** A synthetic blog_os-like project: a bootimage table and a path dependency named bootloader. */
  function bootimageProject(): string {
    const dir = mkdtempSync(join(tmpdir(), 'bootimage-project-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'bootloader', 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'Cargo.toml'),
      [
        '[package]', 'name = "blog_os"', 'version = "0.1.0"', 'edition = "2021"',
        '[dependencies]', 'bootloader = { path = "bootloader" }',
        '[package.metadata.bootimage]',
        'test-args = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio", "-display", "none"]',
        'test-success-exit-code = 33',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'src', 'main.rs'), 'fn main() {}\n');
    writeFileSync(join(dir, 'bootloader', 'Cargo.toml'), '[package]\nname = "bootloader"\nversion = "0.9.0"\nedition = "2021"\n');
    writeFileSync(join(dir, 'bootloader', 'src', 'lib.rs'), '');
    writeFileSync(join(dir, 'rust-toolchain.toml'), '[toolchain]\nchannel = "nightly"\n');
    return dir;
  }

  it('are detected, and a missing bootimage is named with the command to install it', async () => {
    const project = bootimageProject();
    const run = await alloc(['test', '--manifest-path', join(project, 'Cargo.toml')]);
    expect(run.exitCode, run.all).toBe(ExitCode.Environment);
    expect(run.stderr).toContain('blog_os');
    expect(run.stderr).toContain('has [package.metadata.bootimage] and depends on bootloader: it is a bootimage project');
    expect(run.stderr).toContain('run `cargo install bootimage`');
  });

  it('turn the compiler\'s own "only on nightly" error into the advice, with the error shown', async () => {
    const project = bootimageProject();
    // A nightly flag, as bootloader 0.9's -Z build-std is: the stable compiler refuses it.
    rmSync(join(project, 'rust-toolchain.toml'));
    mkdirSync(join(project, '.cargo'));
    writeFileSync(join(project, '.cargo', 'config.toml'), '[build]\nrustflags = ["-Zunstable-options"]\n');
    // Stand-ins, so that only the toolchain is left to fail.
    const bin = mkdtempSync(join(tmpdir(), 'fake-bootimage-'));
    for (const name of ['bootimage', 'cargo-bootimage']) writeFileSync(join(bin, name), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const run = await alloc(['test', '--manifest-path', join(project, 'Cargo.toml')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(run.exitCode, run.all).toBe(ExitCode.Environment);
    expect(run.stderr).toContain('only accepted on the nightly compiler'); // rustc's own words, passed through
    expect(run.stderr).toContain('error: this bootimage project cannot be built with this toolchain (the errors are above):');
    expect(run.stderr).toContain('run `rustup override set nightly`');
  });

  it('boot their raw disk image with bootimage\'s settings: the blog_os test-args, exit code 33, the kernel judged as any', async () => {
    const build = await execa('cargo', ['test', '--no-run', '--features', 'global_alloc', '--test', 'heap_basics', '--message-format=json'], { cwd: FIXTURES });
    const executable = String(build.stdout)
      .split('\n')
      .filter((line) => line.includes('"executable":"'))
      .map((line) => (JSON.parse(line) as { executable: string }).executable)
      .find((path) => path.includes('heap_basics'))!;
    // The image bootimage would have made beside the test executable, made here by alloc-runner.
    const image = join(mkdtempSync(join(tmpdir(), 'bootimage-disk-')), 'deps', 'bootimage-heap_basics.bin');
    await makeGrubImage('disk', { kernel: executable, output: image, cmdline: [RUNNER_CMDLINE] });
    const config = parseBootimageConfig({
      'test-args': ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', 'stdio', '-display', 'none'],
      'test-success-exit-code': 33,
      'test-timeout': 30,
    });
    const base = {
      id: 'blog_os/heap_basics',
      name: 'heap_basics',
      image,
      imageKind: 'disk' as const,
      config: kernelConfig(undefined, 'heap_basics'),
      artifactsDir: join(dirname(dirname(image)), 'artifacts'),
    };
    const testExecutable = join(dirname(image), 'heap_basics-0123456789abcdef');
    const plan = bootimagePlan(base, testExecutable, config, { defaults: { vgaContains: ['8/8 tests passed'] }, kernels: new Map() }, {});
    expect(plan).toMatchObject({ image, imageKind: 'disk', config: { timeout: 30, successStatus: 33, qemuArgs: [] } });
    const result = await runKernel(plan, { qemu: 'qemu-system-x86_64', accel: new Accelerator('tcg'), extraQemuArgs: [] });
    expect(result.status, result.reason).toBe('pass');
    expect(result.tests).toHaveLength(8);
    expect(result.qemuCommand.filter((arg) => arg === '-serial')).toHaveLength(1);
    expect(result.qemuCommand).toContain(`format=raw,file=${image}`);
  });
});
