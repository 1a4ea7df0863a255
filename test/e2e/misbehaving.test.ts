import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, FIXTURES, qemuProcessesWith } from './helpers.js';

type Kernel = JsonReport['kernels'][number];

// Kernels that misbehave on purpose (fixtures/misbehaving), each run through the real CLI and QEMU.
describe('misbehaving kernels', () => {
  let run: Awaited<ReturnType<typeof alloc>>;
  let kernels: Map<string, Kernel>;
  let wallMs: number;

  beforeAll(async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'misbehaving-')), 'report.json');
    const started = Date.now();
    run = await alloc(['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), '--reporter', 'json', '--output-file', `json=${out}`, '--jobs', '4']);
    wallMs = Date.now() - started;
    const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    kernels = new Map(report.kernels.map((kernel) => [kernel.name, kernel]));
  });

  const kernel = (name: string) => {
    const found = kernels.get(name);
    if (!found) throw new Error(`no kernel ${name} in the report: ${[...kernels.keys()].join(', ')}`);
    return found;
  };

  it('fails the run with the test-failure exit code', () => {
    expect(run.exitCode, run.all).toBe(1);
  });

  it('reports a hang within the timeout plus two seconds, with the screen, and leaves no QEMU behind', () => {
    const hang = kernel('hang');
    expect(hang.status).toBe('hang');
    expect(hang.reason).toMatch(/no exit within 3 s/);
    expect(hang.durationMs).toBeLessThan(5000);
    expect(hang.screenText).toBeDefined();
    expect(qemuProcessesWith(hang.image)).toEqual([]);
  });

  it('calls a triple fault a crash, never a pass', () => {
    const crash = kernel('triple_fault');
    expect(crash.status).toBe('crash');
    expect(crash.reason).toMatch(/triple fault/);
  });

  it('shows a panic with its message and location', () => {
    const panic = kernel('panic');
    expect(panic.status).toBe('fail');
    const failed = panic.tests.find((test) => test.status === 'fail');
    expect(failed?.panic).toMatchObject({ file: expect.stringMatching(/panic\.rs$/), message: expect.stringContaining('arithmetic is broken') });
    expect(panic.reason).toMatch(/panicked at .*panic\.rs:\d+:\d+: .*arithmetic is broken/);
  });

  it('calls a stack overflow a crash (the guard page below the boot stack), never a pass', () => {
    const overflow = kernel('stack_overflow');
    expect(overflow.status).toBe('crash');
    expect(overflow.reason).toMatch(/triple fault/);
    expect(overflow.lastSerialLines).toEqual(['KTAP version 1', '1..1']);
  });

  it('fails a kernel that exits with success after a not ok line', () => {
    const liar = kernel('not_ok_success');
    expect(liar.exitStatus).toBe(33);
    expect(liar.status).toBe('fail');
    expect(liar.reason).toMatch(/exited with success, but a test failed: 2 second/);
    // The test failed before the screen handshake: its screen is kept as vga.png too.
    expect(existsSync(liar.artifacts.screenshot!)).toBe(true);
  });

  it('fails a VGA expectation that does not hold, with both texts', () => {
    const vga = kernel('vga_mismatch');
    expect(vga.status).toBe('fail');
    expect(vga.reason).toContain('should contain "Goodbye"');
    expect(vga.reason).toContain('Hello from VGA');
  });

  it('gives a kernel without the screen handshake its serial verdict and says why there is no screen', () => {
    const quiet = kernel('no_handshake');
    expect(quiet.status).toBe('pass');
    expect(quiet.screenText).toBeUndefined();
    expect(quiet.noScreenReason).toMatch(/without the screen handshake/);
  });

  it('keeps a serial flood within bounds and calls it a hang', () => {
    const flood = kernel('flood');
    expect(flood.status).toBe('hang');
    expect(flood.lastSerialLines.length).toBeLessThanOrEqual(20);
    expect(wallMs).toBeLessThan(60_000);
  });

  it('keeps a last line that has no newline at all', () => {
    const quiet = kernel('no_newline');
    expect(quiet.status).toBe('fail');
    expect(quiet.reason).toBe('the kernel reported failure (exit status 35)');
    expect(quiet.lastSerialLines).toEqual(['booted, and failing without a single newline']);
  });

  it('decodes bytes that are not UTF-8 as U+FFFD and still reads every result', () => {
    const bytes = kernel('invalid_utf8');
    expect(bytes.status, bytes.reason).toBe('pass');
    expect(bytes.tests.map((test) => test.name)).toEqual(['survives_\uFFFD\uFFFD_bytes', expect.stringMatching(/^overlong_\uFFFD+_and_surrogate_\uFFFD+$/)]);
  });

  it('cuts a line of megabytes in the report, keeps it whole in the log, and passes the kernel', () => {
    const huge = kernel('huge_line');
    expect(huge.status, huge.reason).toBe('pass');
    expect(huge.serialBytes).toBeGreaterThan(2 * 1024 * 1024);
    const cut = huge.lastSerialLines.find((line) => line.startsWith('yyyy'));
    expect(cut).toMatch(/^y{4096} …\[truncated 2093056 chars\]$/);
    expect(statSync(huge.artifacts.serialLog).size).toBe(huge.serialBytes);
  });

  it('fails KTAP that lies: a short plan, a duplicate number, an ok after a panic', () => {
    expect(kernel('ktap_short_plan')).toMatchObject({ status: 'fail', exitStatus: 33, reason: expect.stringContaining('planned 5 tests but reported 3') });
    expect(kernel('ktap_duplicate')).toMatchObject({ status: 'fail', exitStatus: 33, reason: expect.stringContaining('duplicate test number 1') });
    expect(kernel('ktap_ok_after_panic')).toMatchObject({
      status: 'fail',
      exitStatus: 33,
      reason: 'test 2 second was reported ok after a panic: panicked at tests/ktap_ok_after_panic.rs:17:5: the heap is corrupt',
    });
  });

  it('fails the nested lie: `ok 1 parent` over a failed subtest', () => {
    const liar = kernel('ktap_nested_lie');
    expect(liar).toMatchObject({ status: 'fail', exitStatus: 33, reason: 'the kernel exited with success, but a test failed: 1 parent' });
    expect(liar.tests).toMatchObject([{ name: 'parent', status: 'fail', reason: 'reported ok, but subtests failed: 2 b' }]);
    expect(liar.tests[0]!.subtests.map((test) => [test.name, test.status])).toEqual([['a', 'pass'], ['b', 'fail']]);
  });

  it('fails the carriage-return lie: a `not ok` line full of bare `\\r`', () => {
    const liar = kernel('ktap_carriage_return');
    expect(liar).toMatchObject({ status: 'fail', exitStatus: 33, reason: 'the kernel exited with success, but a test failed: 2 copy\r50%\r100%' });
    expect(liar.tests.map((test) => [test.name, test.status, test.reason])).toEqual([['open', 'pass', undefined], ['copy\r50%\r100%', 'fail', 'checksum mismatch']]);
  });

  it('shows both lies in the terminal and in JUnit: the \\r made visible, the failed subtest a testcase', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'lies-')), 'junit.xml');
    const lies = ['ktap_nested_lie', 'ktap_carriage_return'].flatMap((name) => ['--filter-kernel', `misbehaving/${name}`]);
    const shown = await alloc(['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), ...lies, '--reporter', 'default', '--reporter', 'junit', '--output-file', `junit=${junit}`]);
    expect(shown.exitCode, shown.all).toBe(1);
    expect(shown.stdout).not.toContain('\r');
    expect(shown.stdout).toContain('✗ 2 copy\\r50%\\r100% — checksum mismatch');
    expect(shown.stdout).toMatch(/✗ 1 parent — reported ok, but subtests failed: 2 b\n {4}✓ 1 a\n {4}✗ 2 b\n/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testcase name="parent › b" classname="misbehaving/ktap_nested_lie" time="');
    expect(xml).toMatch(/<testcase name="parent › b" classname="misbehaving\/ktap_nested_lie" time="\d+\.\d{3}">\n {6}<failure /);
  });

  it('reads the line a kernel exits in the middle of: its `not ok` outweighs the success exit', () => {
    const cut = kernel('exit_mid_line');
    expect(cut.exitStatus).toBe(33);
    expect(cut.status).toBe('fail');
    expect(cut.reason).toBe('the kernel exited with success, but a test failed: 2 sec');
  });

  it('ends a reboot loop as a crash after a few resets, long before its timeout', () => {
    const loop = kernel('reboot_loop');
    expect(loop.status).toBe('crash');
    expect(loop.reason).toMatch(/kept rebooting \(10 resets; the QEMU arguments allow reboots\)/);
    expect(loop.durationMs).toBeLessThan(10_000); // its timeout is 30 s
    expect(loop.lastSerialLines.filter((line) => line === 'rebooting (on purpose)').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps its own memory bounded while a kernel floods serial', async () => {
    const flood = kernel('flood');
    // Ends when line 10,000 (about 2.1 MB) has arrived, however long a loaded machine takes.
    const child = alloc(['test', '--kernel', flood.image, '--pass-when-serial', '^ +10000 x', '--timeout', '170', '--reporter', 'json']);
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // gone already
      }
    }, 100);
    const result = await child;
    clearInterval(sampler);
    const report = JSON.parse(result.stdout) as JsonReport;
    const bytes = report.kernels[0]!.serialBytes;
    console.log(`flood: ${(bytes / 1e6).toFixed(1)} MB of serial in ${(report.kernels[0]!.durationMs / 1000).toFixed(1)} s, alloc-runner peak RSS ${(peakKb / 1024).toFixed(0)} MiB`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(bytes).toBeGreaterThan(2_000_000);
    expect(peakKb).toBeLessThan(150 * 1024);
  });
});
