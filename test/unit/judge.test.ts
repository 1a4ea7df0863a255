import { describe, expect, it } from 'vitest';
import { countedTests, judge, type Evidence } from '../../src/verdict/judge.js';
import { DEFAULT_CONFIG } from '../../src/project/config.js';
import type { SerialReport, TestResult } from '../../src/model.js';

const test = (number: number, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({
  number,
  name: `t${number}`,
  status,
  diagnostics: [],
  subtests: [],
  ...extra,
});
const serial = (tests: TestResult[], extra: Partial<SerialReport> = {}): SerialReport => ({
  format: 'ktap',
  plannedTests: tests.length,
  tests,
  problems: [],
  ...extra,
});
const exited = (status: number, report = serial([test(1, 'pass')]), extra: Partial<Evidence> = {}): Evidence => ({
  ending: { kind: 'exited', status },
  serial: report,
  unmatchedPatterns: [],
  screenText: '',
  ...extra,
});

describe('verdicts', () => {
  it('fails tests planned but never reported, naming them', () => {
    const report = serial([test(1, 'pass'), test(2, 'notrun', { name: 'late' })]);
    expect(judge(exited(33, report), DEFAULT_CONFIG)).toEqual({ status: 'fail', reason: 'the kernel planned 2 tests but reported 1; not run: 2 late' });
  });

  it('fails KTAP with no result at all ("no tests ran"), unless no-tests = "pass"', () => {
    const none = serial([], { plannedTests: 0 });
    expect(judge(exited(33, none), DEFAULT_CONFIG)).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^no tests ran/) });
    expect(judge(exited(33, none), { ...DEFAULT_CONFIG, noTests: 'pass' })).toEqual({ status: 'pass' });
    // A kernel that speaks no test format at all is judged by its exit alone, as before.
    expect(judge(exited(33, serial([], { format: 'none', plannedTests: undefined })), DEFAULT_CONFIG)).toEqual({ status: 'pass' });
  });

  it('names the blog_os test that was running in a hang or crash, and counts the tests that never ran', () => {
    const notRun = (number: number, name = `test ${number}`) => test(number, 'notrun', { name });
    const blogOs = (extra: Partial<SerialReport>) =>
      serial([test(1, 'pass'), notRun(2, extra.inFlight), notRun(3), notRun(4)], { format: 'blog_os', plannedTests: 4, ...extra });
    const hung = judge({ ...exited(0, blogOs({ inFlight: 'basic_boot::wait_forever' })), ending: { kind: 'timeout', seconds: 3 } }, DEFAULT_CONFIG);
    expect(hung).toEqual({ status: 'hang', reason: 'hung in basic_boot::wait_forever: no exit within 3 s; QEMU was killed; 2 of 4 tests never ran' });
    const alone = serial([notRun(1, 'stack_overflow::stack_overflow')], { format: 'blog_os', plannedTests: undefined, inFlight: 'stack_overflow::stack_overflow' });
    const crashed = judge({ ...exited(0, alone), ending: { kind: 'reset' } }, DEFAULT_CONFIG);
    expect(crashed.reason).toMatch(/^crashed in stack_overflow::stack_overflow: the machine reset/);
    expect(judge(exited(0, blogOs({ inFlight: 'a::b' })), DEFAULT_CONFIG).reason).toMatch(/^crashed in a::b: QEMU exited with status 0.*; 2 of 4 tests never ran$/);
    const failed = judge(exited(35, serial([test(1, 'fail'), notRun(2)], { format: 'blog_os', plannedTests: 2 })), { ...DEFAULT_CONFIG, failureStatus: 35 });
    expect(failed.reason).toBe('the kernel reported failure (exit status 35); 1 of 2 tests never ran');
    // KTAP kernels are not counted this way: their own plan check says it.
    expect(judge({ ...exited(0, serial([test(1, 'pass'), notRun(2)], { plannedTests: 4 })), ending: { kind: 'timeout', seconds: 3 } }, DEFAULT_CONFIG).reason).not.toContain('never ran');
  });

  it('passes a kernel that exits with success after passing tests', () => {
    expect(judge(exited(33), DEFAULT_CONFIG)).toEqual({ status: 'pass' });
  });

  it('fails a kernel that exits with success after a not ok line: an exit code cannot hide a failed test', () => {
    const verdict = judge(exited(33, serial([test(1, 'pass'), test(2, 'fail')])), DEFAULT_CONFIG);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toMatch(/exited with success, but a test failed: 2 t2/);
  });

  it('fails a kernel that exits with success before its plan is complete', () => {
    const verdict = judge(exited(33, serial([test(1, 'pass')], { plannedTests: 5 })), DEFAULT_CONFIG);
    expect(verdict.reason).toMatch(/planned 5 tests but reported 1/);
  });

  it('counts expected failures and skips as no failure', () => {
    expect(judge(exited(33, serial([test(1, 'xfail'), test(2, 'skip')])), DEFAULT_CONFIG).status).toBe('pass');
  });

  it('reports the failure status with the panic message and location', () => {
    const panic = { file: 'tests/heap.rs', line: 36, column: 5, message: 'assertion failed' };
    const verdict = judge(exited(35, serial([test(1, 'fail', { panic })])), DEFAULT_CONFIG);
    expect(verdict).toEqual({
      status: 'fail',
      reason: 'the kernel reported failure (exit status 35): panicked at tests/heap.rs:36:5: assertion failed',
    });
  });

  it('names any other exit status with the isa-debug-exit value it stands for', () => {
    expect(judge(exited(7), DEFAULT_CONFIG).reason).toBe('exit status 7 (isa-debug-exit value 0x3), expected 33');
  });

  it('never passes a triple fault, a reset or a silent exit 0', () => {
    expect(judge({ ...exited(0), ending: { kind: 'reset' } }, DEFAULT_CONFIG).status).toBe('crash');
    expect(judge(exited(0), DEFAULT_CONFIG).status).toBe('crash');
    expect(judge({ ...exited(0), ending: { kind: 'shutdown', reason: 'guest-shutdown' } }, DEFAULT_CONFIG).status).toBe('crash');
  });

  it('reports a hang with the timeout', () => {
    expect(judge({ ...exited(0), ending: { kind: 'timeout', seconds: 3 } }, DEFAULT_CONFIG)).toEqual({
      status: 'hang',
      reason: 'no exit within 3 s; QEMU was killed',
    });
  });

  it('honours a configured exit status', () => {
    expect(judge(exited(35, serial([test(1, 'fail')])), { ...DEFAULT_CONFIG, exitStatus: 35 }).status).toBe('pass');
  });

  it('fails a VGA expectation with both texts', () => {
    const verdict = judge(exited(33, undefined, { screenText: 'Hello from VGA' }), { ...DEFAULT_CONFIG, vgaContains: ['Goodbye'] });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('should contain "Goodbye" but shows:\n    | Hello from VGA');
  });

  it('fails a VGA expectation when there is no screen, saying why', () => {
    const verdict = judge(exited(33, undefined, { screenText: undefined, noScreenReason: 'no handshake' }), {
      ...DEFAULT_CONFIG,
      vgaContains: ['x'],
    });
    expect(verdict.reason).toMatch(/screen could not be read: no handshake/);
  });

  it('fails a vga-excludes expectation when there is no screen: an unread screen proves nothing absent', () => {
    const verdict = judge(exited(33, undefined, { screenText: undefined, noScreenReason: 'no handshake' }), {
      ...DEFAULT_CONFIG,
      vgaExcludes: ['PANIC'],
    });
    expect(verdict).toEqual({ status: 'fail', reason: 'VGA expectations are set but the screen could not be read: no handshake' });
  });

  it('fails when a serial pattern never matched', () => {
    expect(judge(exited(33, undefined, { unmatchedPatterns: ['heap: used=\\d+'] }), DEFAULT_CONFIG).reason).toBe(
      'no serial line matched /heap: used=\\d+/',
    );
  });

  describe('names every way a kernel can end', () => {
    const panic = { file: 'src/main.rs', line: 9, column: 1, message: 'boom\nsecond line' };
    const withPanic = serial([test(1, 'pass')], { panic });
    const ending = (kind: Evidence['ending'], report = serial([test(1, 'pass')])) => judge({ ...exited(33, report), ending: kind }, DEFAULT_CONFIG);
    it('QEMU failures are errors of the run', () => {
      expect(ending({ kind: 'qemu-failed', message: 'no such file' })).toEqual({ status: 'error', reason: 'QEMU could not run the kernel: no such file' });
      expect(ending({ kind: 'kvm-failed', message: 'KVM stopped the guest' })).toEqual({ status: 'error', reason: 'KVM stopped the guest; run with --accel tcg' });
    });
    it('a hang, a reset, a reboot loop and a guest shutdown, with the panic that came before', () => {
      expect(ending({ kind: 'timeout', seconds: 5 }, withPanic)).toEqual({ status: 'hang', reason: 'no exit within 5 s: panicked at src/main.rs:9:1: boom; QEMU was killed' });
      expect(ending({ kind: 'reset' }, withPanic)).toEqual({
        status: 'crash',
        reason: 'the machine reset (a triple fault, or a reboot) instead of exiting through isa-debug-exit: panicked at src/main.rs:9:1: boom',
      });
      expect(ending({ kind: 'reboot-loop', resets: 10 })).toEqual({
        status: 'crash',
        reason: 'the machine kept rebooting (10 resets; the QEMU arguments allow reboots) instead of exiting through isa-debug-exit',
      });
      expect(ending({ kind: 'shutdown', reason: 'guest-shutdown' })).toEqual({ status: 'crash', reason: 'the guest shut the machine down (guest-shutdown) instead of exiting through isa-debug-exit' });
      expect(ending({ kind: 'interrupted' })).toEqual({ status: 'interrupted', reason: 'alloc-runner was interrupted while the kernel ran; QEMU was stopped' });
      expect(ending({ kind: 'exited', status: 0 })).toEqual({ status: 'crash', reason: 'QEMU exited with status 0: under -no-reboot that is a triple fault or a reset' });
    });
    it('a panic inside a test names the hang too', () => {
      const report = serial([test(1, 'pass'), test(2, 'fail', { panic: { ...panic, file: 'tests/t.rs' } })]);
      expect(ending({ kind: 'timeout', seconds: 1 }, report).reason).toBe('no exit within 1 s: panicked at tests/t.rs:9:1: boom; QEMU was killed');
    });
    it('an even exit status is no isa-debug-exit value', () => {
      expect(judge(exited(2), DEFAULT_CONFIG)).toEqual({ status: 'fail', reason: 'exit status 2, expected 33' });
      expect(judge(exited(1), DEFAULT_CONFIG).reason).toBe('exit status 1 (isa-debug-exit value 0x0), expected 33');
      expect(judge(exited(255), DEFAULT_CONFIG).reason).toBe('exit status 255 (isa-debug-exit value 0x7f), expected 33');
    });
  });

  it('names every failed test, and every problem at once', () => {
    const report = serial([test(1, 'fail'), test(2, 'pass'), test(3, 'fail')], { plannedTests: 4, problems: ['line 7: duplicate test number 1'] });
    expect(judge(exited(33, report), DEFAULT_CONFIG)).toEqual({
      status: 'fail',
      reason: 'the kernel exited with success, but tests failed: 1 t1, 3 t3; the kernel planned 4 tests but reported 3; line 7: duplicate test number 1',
    });
  });

  it('fails a success after a panic, outside a test or in a test reported ok', () => {
    const panic = { file: 'src/lib.rs', line: 1, column: 2, message: 'late' };
    expect(judge(exited(33, serial([test(1, 'pass')], { panic })), DEFAULT_CONFIG).reason).toBe('the kernel exited with success after a panic: panicked at src/lib.rs:1:2: late');
    const nested = serial([test(1, 'pass', { subtests: [test(1, 'pass', { panic })] })]);
    expect(judge(exited(33, nested), DEFAULT_CONFIG).reason).toBe('test 1 t1 was reported ok after a panic: panicked at src/lib.rs:1:2: late');
    // A skip is no better: the test panicked, whatever its result line says afterwards.
    expect(judge(exited(33, serial([test(1, 'skip', { panic })])), DEFAULT_CONFIG)).toEqual({
      status: 'fail',
      reason: 'test 1 t1 was reported skipped after a panic: panicked at src/lib.rs:1:2: late',
    });
    // A failed test's panic is its failure, not a second problem.
    expect(judge(exited(33, serial([test(1, 'fail', { panic })])), DEFAULT_CONFIG).reason).toBe('the kernel exited with success, but a test failed: 1 t1');
  });

  it('does not ask the tests of a kernel configured to fail to pass, but still checks its screen and patterns', () => {
    const shouldFail = { ...DEFAULT_CONFIG, exitStatus: 35, vgaContains: ['FAILED'] };
    const report = serial([test(1, 'fail')], { plannedTests: 3 });
    expect(judge(exited(35, report, { screenText: 'FAILED here' }), shouldFail)).toEqual({ status: 'pass' });
    expect(judge(exited(35, report, { screenText: 'ok', unmatchedPatterns: ['x'] }), shouldFail)).toEqual({
      status: 'fail',
      reason: 'the VGA screen should contain "FAILED" but shows:\n    | ok; no serial line matched /x/',
    });
    expect(judge(exited(33, report), shouldFail)).toEqual({ status: 'fail', reason: 'exit status 33 (isa-debug-exit value 0x10), expected 35' });
  });

  it('shows the whole screen, or says it is blank, when vga-excludes matched', () => {
    const config = { ...DEFAULT_CONFIG, vgaExcludes: ['PANIC'] };
    expect(judge(exited(33, undefined, { screenText: 'ok\nPANIC at x' }), config).reason).toBe('the VGA screen should not contain "PANIC" but shows:\n    | ok\n    | PANIC at x');
    expect(judge(exited(33, undefined, { screenText: 'all fine' }), config)).toEqual({ status: 'pass' });
    expect(judge(exited(33, undefined, { screenText: '' }), { ...DEFAULT_CONFIG, vgaContains: ['x'] }).reason).toBe('the VGA screen should contain "x" but shows:\n    | (blank screen)');
    expect(judge(exited(33, undefined, { screenText: undefined }), { ...DEFAULT_CONFIG, vgaContains: ['x'] }).reason).toBe('VGA expectations are set but the screen could not be read: unknown reason');
  });

  it('counts a kernel that failed beyond its tests as one more failed test', () => {
    const counted = countedTests({ name: 'k', status: 'hang', reason: 'no exit', tests: [test(1, 'pass')] });
    expect(counted.map((t) => t.status)).toEqual(['pass', 'fail']);
    expect(countedTests({ name: 'k', status: 'fail', tests: [test(1, 'fail')] })).toHaveLength(1);
    expect(countedTests({ name: 'k', status: 'crash', reason: 'reset', tests: [test(1, 'pass'), test(2, 'skip')] })[2]).toEqual({
      number: 3,
      name: 'k (kernel)',
      status: 'fail',
      reason: 'reset',
      diagnostics: [],
      subtests: [],
    });
    const passed = [test(1, 'pass')];
    expect(countedTests({ name: 'k', status: 'pass', tests: passed })).toBe(passed);
  });
});
