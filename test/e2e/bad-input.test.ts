// Bad input through the real CLI: each a clear error saying what was wrong and how to fix
// it, with the documented exit code (2 usage or configuration, 4 environment). The cases
// test/e2e/cli.test.ts already covers (unknown option, missing QEMU, missing or non-kernel
// file, a manifest that is not Cargo.toml, an unknown feature, a mistyped value) are not
// repeated here.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alloc, haltingDisk, pathWith } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A Cargo package whose Cargo.toml ends with `metadata`: enough for `cargo metadata`. */
function project(name: string, metadata: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'lib.rs'), '');
  writeFileSync(join(root, 'Cargo.toml'), `[package]\nname = "k"\nversion = "0.1.0"\nedition = "2021"\n\n${metadata}\n`);
  return root;
}

describe('a missing or unfit environment (exit 4)', () => {
  it('no cargo on PATH: says how to install Rust', async () => {
    // node to run alloc-runner, QEMU for the check that comes first; nothing else.
    const result = await alloc(['test'], { env: { PATH: pathWith('node', 'qemu-system-x86_64') } });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.stderr).toContain('cargo was not found on PATH. Install Rust with rustup (https://rustup.rs)');
  });

  it('a QEMU too old: names its version and the version needed', async () => {
    // It fails to start (a QEMU 5.2 refuses -action), and only then is asked its --version.
    const qemu = script('old-qemu', 'echo "QEMU emulator version 5.2.0 (Debian 1:5.2+dfsg-11+deb11u2)"');
    const result = await alloc(['test', '--qemu', qemu, '--kernel', haltingDisk(join(dir, 'disk.img'))]);
    expect(result.exitCode, result.all).toBe(4);
    expect(result.stderr).toContain(`${qemu} is QEMU 5.2, too old: QEMU 6.0 or newer is needed (for -action shutdown=pause); install it: on Debian or Ubuntu`);
  });

  it('a --qemu that is not QEMU at all', async () => {
    const qemu = script('not-qemu', 'echo "hello"');
    const result = await alloc(['test', '--qemu', qemu, '--features', 'global_alloc']);
    expect(result.exitCode, result.all).toBe(4);
    expect(result.stderr).toContain(`${qemu} --version did not print a QEMU version ("hello"); QEMU 6.0 or newer is needed`);
  });
});

describe('a kernel that cannot boot (exit 2)', () => {
  it('an ELF without a Multiboot header: says it cannot boot with -kernel, and why', async () => {
    const result = await alloc(['test', '--kernel', process.execPath]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`${process.execPath} is an ELF file without a Multiboot 1 header in its first 8 KiB, so QEMU cannot boot it with -kernel.`);
  });

  it('two images after one --kernel: says each needs its own', async () => {
    const result = await alloc(['test', '--kernel', 'a.bin', 'b.bin']);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain('error: alloc-runner test: unexpected argument b.bin; each image needs its own --kernel: --kernel a.bin --kernel b.bin');
  });

  it('a folder given as the kernel', async () => {
    const result = await alloc(['test', '--kernel', dir]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`${dir} is a folder, not a kernel image`);
  });
});

describe('a project that is not one (exit 2)', () => {
  it('a manifest path that does not exist', async () => {
    const result = await alloc(['test', '--manifest-path', join(dir, 'nowhere', 'Cargo.toml')]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`--manifest-path: ${join(dir, 'nowhere', 'Cargo.toml')} does not exist`);
  });

  it('a manifest path that is a folder without Cargo.toml', async () => {
    const result = await alloc(['test', '--manifest-path', dir]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`--manifest-path: ${dir} is a folder without a Cargo.toml; give the path of a Cargo.toml`);
  });

  it('no Cargo project in or above the current folder', async () => {
    const empty = mkdtempSync(join('/tmp', 'no-project-'));
    const result = await alloc(['test'], { cwd: empty });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain('no Cargo project here');
    expect(result.stderr).toContain('pass --manifest-path PATH/Cargo.toml, or pass --kernel FILE');
  });
});

describe('a malformed or mistyped [package.metadata.alloc-runner] (exit 2)', () => {
  it.each([
    ['a TOML syntax error: Cargo\'s own message', '[package.metadata.alloc-runner\ntimeout = 3', ['cargo metadata could not read', 'unclosed table, expected `]`']],
    ['a misspelt key: named, with the keys that exist', '[package.metadata.alloc-runner]\ntimout = 3', ['package.metadata.alloc-runner.timout: unknown key; the known keys are timeout,']],
    ['a key named like an Object property', '[package.metadata.alloc-runner]\nconstructor = { timeout = -1 }', ['package.metadata.alloc-runner.constructor: unknown key']],
    ['a wrong type in a kernel override', '[package.metadata.alloc-runner.kernels.heap]\nexit-status = 300', ['package.metadata.alloc-runner.kernels.heap.exit-status: expected an exit status from 0 to 255, got 300']],
    ['a regular expression that does not compile', "[package.metadata.alloc-runner]\nserial-matches = ['ok (']", ['package.metadata.alloc-runner.serial-matches: "ok (" is not a valid regular expression']],
    ['kernels that is not a table', '[package.metadata.alloc-runner]\nkernels = ["heap"]', ['package.metadata.alloc-runner.kernels: expected a table, got ["heap"]']],
  ])('%s', async (_what, metadata, messages) => {
    const root = project(`p${metadata.length}-${messages[0]!.length}`, metadata);
    const result = await alloc(['test'], { cwd: root });
    expect(result.exitCode, result.all).toBe(2);
    for (const message of messages) expect(result.stderr).toContain(message);
  });
});

describe('a [package.metadata.alloc-runner.kernels.NAME] table for no kernel (exit 2)', () => {
  it('names the table and the kernels there are, before building', async () => {
    const root = project('kernel-table', '[package.metadata.alloc-runner.kernels.heap_basic]\ntimeout = 3');
    mkdirSync(join(root, 'tests'));
    writeFileSync(join(root, 'tests', 'heap_basics.rs'), '');
    writeFileSync(join(root, 'tests', 'no_alloc.rs'), '');
    const result = await alloc(['test'], { cwd: root });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(
      `${join(root, 'Cargo.toml')}: package.metadata.alloc-runner.kernels.heap_basic: matches no kernel of this package (its kernels are heap_basics, no_alloc); name a test file's stem (tests/NAME.rs) or a binary`,
    );
    expect(result.stderr).not.toContain('Compiling');
  });
});

describe('the QEMU to use', () => {
  it('an empty ALLOC_RUNNER_QEMU counts as unset: the default QEMU boots the kernel, not a PATH folder', async () => {
    // A disk that halts: booted by a real QEMU, it is a hang at its timeout.
    const result = await alloc(['test', '--timeout', '1', '--kernel', haltingDisk(join(dir, 'blank-qemu.img'))], { env: { ALLOC_RUNNER_QEMU: '' } });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/^HANG /m);
    expect(result.all).not.toContain('could not be started');
  });

  it("--qemu '' is a usage error", async () => {
    const result = await alloc(['test', '--qemu', '', '--kernel', process.execPath]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain("option '--qemu <path>' argument '' is invalid. expected a path or a program name, not an empty string");
  });
});

describe('options that would do nothing, and files that would be ignored (exit 2)', () => {
  it.each([
    [['--features', 'global_alloc'], '--features would do nothing: drop it'],
    [['--release', '-p', 'kernel', '--manifest-path', 'fixtures/Cargo.toml'], '--release, --manifest-path, --package would do nothing: drop them'],
  ])('--kernel with Cargo options %j: refused', async (args, message) => {
    const result = await alloc(['test', '--kernel', process.execPath, ...args]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`error: --kernel boots a prebuilt image and builds nothing, so ${message}, or drop --kernel to build with Cargo`);
  });

  it('a package.json that is not valid JSON, where alloc-runner looks for its manifest-path', async () => {
    const root = join(dir, 'bad-package-json');
    mkdirSync(root);
    writeFileSync(join(root, 'package.json'), '{ "alloc-runner": { "manifest-path": "k/Cargo.toml", } }');
    const result = await alloc(['test'], { cwd: root });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`error: ${join(root, 'package.json')} is not valid JSON (`);
    expect(result.stderr).toContain('fix it, or pass --manifest-path PATH/Cargo.toml');
  });
});

describe('bad option values (exit 2)', () => {
  it.each([
    [['--jobs', '0'], "option '-j, --jobs <n>' argument '0' is invalid. expected a whole number of 1 or more"],
    [['--timeout', '-3'], "argument '-3' is invalid. expected a number of seconds greater than 0"],
    [['--accel', 'hvf'], "option '--accel <accel>' argument 'hvf' is invalid. Allowed choices are auto, kvm, tcg."],
    [['--reporter', 'xml'], '--reporter xml: unknown reporter; choose from'],
  ])('%j', async (args, message) => {
    const result = await alloc(['test', ...args]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
