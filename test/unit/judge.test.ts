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

  it('counts a kernel that failed beyond its tests as one more failed test', () => {
    const counted = countedTests({ name: 'k', status: 'hang', reason: 'no exit', tests: [test(1, 'pass')] });
    expect(counted.map((t) => t.status)).toEqual(['pass', 'fail']);
    expect(countedTests({ name: 'k', status: 'fail', tests: [test(1, 'fail')] })).toHaveLength(1);
  });
});
