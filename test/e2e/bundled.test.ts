import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc } from './helpers.js';

// The README's first command, on the bundled kernel: every test kernel passes, with its screen read.
describe('alloc-runner test --features global_alloc on the bundled kernel', () => {
  let run: Awaited<ReturnType<typeof alloc>>;
  let report: JsonReport;
  const ktapKernels = () => report.kernels.filter((kernel) => kernel.name !== 'test_allocator');

  beforeAll(async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bundled-')), 'report.json');
    run = await alloc(['test', '--features', 'global_alloc', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${out}`]);
    report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  });

  it('passes every kernel and ends with the closing line', () => {
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(report.kernels.length).toBeGreaterThanOrEqual(3);
    for (const kernel of report.kernels) expect(kernel.status, `${kernel.name}: ${kernel.reason}`).toBe('pass');
  });

  it('reads every test of every kernel from KTAP, with heap statistics as diagnostics', () => {
    const heapKernels = report.kernels.filter((kernel) => kernel.tests.some((test) => test.diagnostics.some((line) => line.startsWith('heap: '))));
    expect(heapKernels.length).toBeGreaterThan(0);
    for (const kernel of ktapKernels()) {
      expect(kernel.serialFormat).toBe('ktap');
      expect(kernel.tests.length).toBe(kernel.plannedTests);
    }
  });

  it('passes the seed\'s test_allocator, which never exits, as soon as its screen shows "Allocator works!"', () => {
    const seed = report.kernels.find((kernel) => kernel.name === 'test_allocator');
    expect(seed).toMatchObject({ status: 'pass', tests: [], decidedBy: expect.stringMatching(/^the screen showed "Allocator works!" after \d+\.\d\d s$/) });
    expect(run.stdout).toMatch(/^PASS {2}kernel test_allocator \(0 tests, .*\): the screen showed "Allocator works!" after /m);
  });

  it('shows the exhaustion of a bump heap by long-lived boxes as an expected failure', () => {
    const tests = report.kernels.flatMap((kernel) => kernel.tests);
    expect(tests.some((test) => test.status === 'xfail')).toBe(true);
  });

  it('keeps each kernel\'s serial log and VGA screen where the report says', () => {
    expect(run.stdout).toContain('Artifacts: ');
    for (const kernel of report.kernels) {
      expect(readFileSync(kernel.artifacts.serialLog, 'utf8')).toContain(kernel.name === 'test_allocator' ? 'Allocator works!' : 'KTAP version 1');
      expect(kernel.screenText, kernel.noScreenReason).toBeDefined();
      expect(readFileSync(kernel.artifacts.screenText!, 'utf8')).toBe(`${kernel.screenText}\n`);
    }
    expect(report.kernels.some((kernel) => kernel.screenText!.includes('Allocator works!'))).toBe(true);
  });

  it('writes vga.png only where it may show a failure, or where a condition decided: not for a kernel whose screen handshake came after passing tests', () => {
    for (const kernel of ktapKernels()) expect(kernel.artifacts.screenshot, kernel.name).toBeUndefined();
    for (const kernel of ktapKernels()) expect(existsSync(join(kernel.artifacts.dir, 'vga.png')), kernel.name).toBe(false);
    const seed = report.kernels.find((kernel) => kernel.name === 'test_allocator')!;
    expect(existsSync(seed.artifacts.screenshot!)).toBe(true);
  });

  it('writes vga.png for every kernel with --screenshot', async () => {
    const kernel = ktapKernels()[0]!;
    const out = join(mkdtempSync(join(tmpdir(), 'bundled-')), 'report.json');
    const again = await alloc(['test', '--screenshot', '--kernel', kernel.image, '--reporter', 'json', '--output-file', `json=${out}`]);
    expect(again.exitCode, again.all).toBe(0);
    const [screenshotted] = (JSON.parse(readFileSync(out, 'utf8')) as JsonReport).kernels;
    expect(readFileSync(screenshotted!.artifacts.screenshot!).subarray(1, 4).toString()).toBe('PNG');
  });

  it('answers every kernel\'s screen handshake: the kernel logs the reply instead of waiting 2 s for it', () => {
    for (const kernel of ktapKernels()) {
      const log = readFileSync(kernel.artifacts.serialLog, 'utf8');
      expect(log, kernel.name).toContain('# alloc-runner: screen ready\n# alloc-runner: handshake answered\n');
    }
  });
});

describe('alloc-runner test without global_alloc', () => {
  it('builds and passes the kernel that needs no heap, and only that one', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'no-alloc-')), 'report.json');
    const run = await alloc(['test', '--reporter', 'json', '--output-file', `json=${out}`]);
    expect(run.exitCode, run.all).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    expect(report.kernels.map((kernel) => kernel.name)).toEqual(['no_alloc']);
    expect(report.kernels[0]!.screenText).toContain('(no heap used)');
    expect(report.kernels[0]!.tests.every((test) => test.diagnostics.every((line) => !line.startsWith('heap: ')))).toBe(true);
  });
});

describe('alloc-runner test on a CPU without long mode', () => {
  it('fails the kernel with the boot stub\'s reason on serial and on the screen, instead of a silent triple fault', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'no-long-mode-')), 'report.json');
    const run = await alloc(['test', '--qemu-arg', '-cpu', '--qemu-arg', 'qemu64,-lm', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${out}`]);
    expect(run.exitCode, run.all).toBe(1);
    const message = 'Boot failed: this CPU has no 64-bit long mode (CPUID 0x80000001 EDX bit 29)';
    expect(run.stdout).toMatch(/^FAIL {2}kernel no_alloc /m);
    expect(run.stdout).toContain(`| ${message}`);
    const [kernel] = (JSON.parse(readFileSync(out, 'utf8')) as JsonReport).kernels;
    expect(kernel).toMatchObject({ name: 'no_alloc', status: 'fail', exitStatus: 35, reason: 'the kernel reported failure (exit status 35)' });
    expect(kernel!.lastSerialLines).toContain(message);
    // The stub speaks the screen handshake too, so the screen was read before the exit.
    expect(kernel!.screenText).toContain(message);
    expect(readFileSync(kernel!.artifacts.serialLog, 'utf8')).toBe(`${message}\n# alloc-runner: screen ready\n# alloc-runner: handshake answered\n`);
  });
});
