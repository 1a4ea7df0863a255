import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, CLI, FIXTURES, misbehavingKernels, qemuProcessesWith, ROOT } from './helpers.js';

const MISBEHAVING = join(FIXTURES, 'misbehaving', 'Cargo.toml');
const TEST_ALLOCATOR = join(FIXTURES, 'target', 'x86_64-unknown-linux-gnu', 'debug', 'test_allocator');

/** `alloc-runner test ... --reporter json`: the exit code and the one kernel's result. */
async function testOne(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'conditions-')), 'report.json');
  const run = await alloc(['test', ...args, '--reporter', 'json', '--output-file', `json=${out}`]);
  const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  expect(report.kernels, run.all).toHaveLength(1);
  return { run, kernel: report.kernels[0]! };
}

// Kernels that never exit (the seed's test_allocator), judged live by their screen and serial.
describe('pass-when and fail-when conditions', () => {
  beforeAll(async () => {
    // Builds test_allocator's binary, booted below as a prebuilt --kernel image.
    const built = await alloc(['build', '--features', 'global_alloc', '--bin', 'test_allocator', '--image', 'iso', '-o', join(mkdtempSync(join(tmpdir(), 'iso-')), 'k.iso')]);
    expect(built.exitCode, built.all).toBe(0);
  });

  it('alloc-runner run passes the bundled test_allocator within 1 s of its text appearing, not at its timeout', async () => {
    // The kernel prints "Allocator works!" on serial right after writing it on the screen.
    let textAt: number | undefined;
    let verdictAt: number | undefined;
    const child = execa('node', [CLI, 'run', '--features', 'global_alloc'], { cwd: ROOT, env: { NO_COLOR: '1' }, reject: false, all: true });
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (textAt === undefined && /^Allocator works!$/m.test(text)) textAt = Date.now();
      if (verdictAt === undefined && /^PASS /m.test(text)) verdictAt = Date.now();
    });
    const run = await child;
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}kernel test_allocator \(0 tests, [\d.]+ s, \w+\): the screen showed "Allocator works!" after \d+\.\d\d s$/m);
    expect(textAt).toBeDefined();
    expect(verdictAt! - textAt!).toBeLessThan(1000);
    const artifacts = /^Artifacts: (.*)$/m.exec(run.stdout)![1]!;
    expect(readFileSync(join(artifacts, 'vga.txt'), 'utf8')).toContain('Allocator works!');
    expect(readFileSync(join(artifacts, 'serial.log'), 'utf8')).toContain('allocate_example: 41 100 "bump heap"');
    expect(existsSync(join(artifacts, 'vga.png'))).toBe(true);
    expect(qemuProcessesWith('test_allocator')).toEqual([]);
  });

  it('alloc-runner test boots the bin target test_allocator beside the test kernels and passes it by its screen', async () => {
    const { run, kernel } = await testOne(['--features', 'global_alloc', '--filter-kernel', 'test_allocator']);
    expect(run.exitCode, run.all).toBe(0);
    expect(kernel).toMatchObject({ name: 'test_allocator', status: 'pass' });
    expect(kernel.decidedBy).toMatch(/^the screen showed "Allocator works!" after \d+\.\d\d s$/);
    expect(kernel.durationMs).toBeLessThan(5000); // its timeout is 10 s
  });

  it('calls a kernel that never shows the text a HANG at its timeout, naming the condition it waited for', async () => {
    const { run, kernel } = await testOne(['--manifest-path', MISBEHAVING, '--filter-kernel', 'hang', '--pass-when-vga', 'Allocator works!']);
    expect(run.exitCode).toBe(1);
    expect(kernel.status).toBe('hang');
    expect(kernel.reason).toBe('no exit within 3 s, waiting for the screen showing "Allocator works!" (pass-when-vga); QEMU was killed');
    expect(kernel.durationMs).toBeGreaterThanOrEqual(3000);
    expect(kernel.screenText).toContain('Hanging forever');
  });

  it('ends with a fail-when-serial match a kernel that would otherwise pass', async () => {
    const run = await alloc(['run', '--features', 'global_alloc', '--fail-when-serial', '^heap: used=\\d+']);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}kernel test_allocator /m);
    expect(run.stdout).toMatch(/reason: fail-when-serial: the serial line "heap: used=\d+ .*" matched \/\^heap: used=\\d\+\/ after \d+\.\d\d s$/m);
    expect(qemuProcessesWith('test_allocator')).toEqual([]);
  });

  it('judges a prebuilt --kernel image with command-line conditions', async () => {
    const passed = await testOne(['--kernel', TEST_ALLOCATOR, '--pass-when-serial', '^Allocator works!$', '--vga-contains', 'Booted in 64-bit long mode']);
    expect(passed.run.exitCode, passed.run.all).toBe(0);
    expect(passed.kernel.decidedBy).toMatch(/^the serial line "Allocator works!" matched \/\^Allocator works!\$\/ after/);

    const failed = await testOne(['--kernel', TEST_ALLOCATOR, '--pass-when-vga', 'Allocator works!', '--vga-excludes', 'Booted']);
    expect(failed.run.exitCode).toBe(1);
    expect(failed.kernel.reason).toMatch(/^the VGA screen should not contain "Booted" but shows:[^]*\(QEMU was stopped when the screen showed "Allocator works!" after/);

    const bad = await alloc(['run', '--kernel', TEST_ALLOCATOR, '--pass-when-serial', '(']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: --pass-when-serial: "\(" is not a valid regular expression/);
  });

  it('takes --fail-when-vga, --serial-matches and --exit-status from the command line for a --kernel image', async () => {
    // test_allocator never exits: only its screen, read while it runs, ends it before its timeout.
    const vga = await testOne(['--kernel', TEST_ALLOCATOR, '--fail-when-vga', 'Allocator works!', '--timeout', '10']);
    expect(vga.run.exitCode, vga.run.all).toBe(1);
    expect(vga.kernel.status).toBe('fail');
    expect(vga.kernel.reason).toMatch(/^fail-when-vga: the screen showed "Allocator works!" after \d+\.\d\d s, in the line "Allocator works!"/);
    expect(vga.kernel.durationMs).toBeLessThan(5000);

    // Two misbehaving kernels that exit: one with success (33) after `ok 1`, one with failure (35) after a panic.
    const images = await misbehavingKernels('no_handshake', 'panic');
    const succeeds = images.get('no_handshake')!;
    const panics = images.get('panic')!;

    const serial = await testOne(['--kernel', succeeds, '--serial-matches', '^ok 1 exits_without_handshake$', '--serial-matches', '^never printed$']);
    expect(serial.run.exitCode, serial.run.all).toBe(1);
    expect(serial.kernel.reason).toBe('no serial line matched /^never printed$/');

    const expectedFailure = await testOne(['--kernel', panics, '--exit-status', '35']);
    expect(expectedFailure.run.exitCode, expectedFailure.run.all).toBe(0);
    expect(expectedFailure.kernel.status).toBe('pass');
    const wrongStatus = await testOne(['--kernel', succeeds, '--exit-status', '35']);
    expect(wrongStatus.run.exitCode).toBe(1);
    expect(wrongStatus.kernel.reason).toBe('exit status 33 (isa-debug-exit value 0x10), expected 35');
  });

  it('fails a kernel that exits with failure before its pass condition is met', async () => {
    const { run, kernel } = await testOne(['--manifest-path', MISBEHAVING, '--filter-kernel', 'misbehaving/panic', '--pass-when-vga', 'Allocator works!']);
    expect(run.exitCode).toBe(1);
    expect(kernel.status).toBe('fail');
    expect(kernel.exitStatus).toBe(35);
    expect(kernel.reason).toMatch(/^the kernel reported failure \(exit status 35\): panicked at/);
  });
});
