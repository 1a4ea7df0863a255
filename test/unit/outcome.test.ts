import { describe, expect, it } from 'vitest';
import type { KernelResult, TestResult } from '../../src/model.js';
import { DEFAULT_CONFIG } from '../../src/project/config.js';
import { withExpectedFailures } from '../../src/verdict/expected-failure.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

const test = (number: number, status: TestResult['status'], subtests: TestResult[] = []): TestResult => ({ number, name: `t${number}`, status, diagnostics: [], subtests });
const kernel = (status: KernelResult['status'], tests: TestResult[]): KernelResult => ({
  id: 'k',
  name: 'k',
  image: '/k',
  status,
  tests,
  serialFormat: 'ktap',
  lastSerialLines: [],
  serialBytes: 0,
  artifacts: { dir: '/a', serialLog: '/a/serial.log' },
  durationMs: 1,
  accelerator: 'tcg',
  qemuCommand: [],
});

describe('the run outcome', () => {
  it('passes only when every kernel passed', () => {
    expect(decideOutcome([kernel('pass', [test(1, 'pass'), test(2, 'xfail')])])).toMatchObject({ passed: true, exitCode: 0, totals: { passed: 2, failed: 0, skipped: 0 } });
    expect(decideOutcome([kernel('pass', [test(1, 'pass')]), kernel('hang', [test(1, 'pass')])])).toMatchObject({ passed: false, exitCode: 1, totals: { passed: 2, failed: 1 } });
    expect(decideOutcome([])).toMatchObject({ passed: true, exitCode: 0 });
    // A failed test in a kernel marked as passing still fails the run: neither can hide the other.
    expect(decideOutcome([kernel('pass', [test(1, 'fail'), test(2, 'skip')])])).toMatchObject({ passed: false, exitCode: 1, totals: { passed: 0, failed: 1, skipped: 1 } });
  });
  it('fails a run stopped by --bail, and gives an interrupted run its signal exit code', () => {
    expect(decideOutcome([kernel('pass', [])], { bailed: true }).exitCode).toBe(1);
    expect(decideOutcome([kernel('pass', [])], { signalExitCode: 130 }).exitCode).toBe(130);
  });
});

describe('a kernel configured to fail', () => {
  const shouldFail = { ...DEFAULT_CONFIG, exitStatus: 35 };
  it('turns its failed tests, nested too, into expected failures when it ended as configured', () => {
    const tests = withExpectedFailures([test(1, 'pass'), test(2, 'fail', [test(1, 'fail')])], shouldFail, 'pass');
    expect(tests.map((t) => t.status)).toEqual(['pass', 'xfail']);
    expect(tests[1]!.subtests[0]!.status).toBe('xfail');
    expect(tests[1]!.reason).toBe('the kernel is configured to fail (exit-status = 35)');
  });
  it('says why each test failed: its own reason, else its panic', () => {
    const panic = { file: 'tests/t.rs', line: 2, column: 3, message: 'boom\nmore' };
    const tests = withExpectedFailures(
      [{ ...test(1, 'fail'), reason: 'checksum' }, { ...test(2, 'fail'), panic }, test(3, 'skip', [test(1, 'pass')])],
      shouldFail,
      'pass',
    );
    expect(tests.map((t) => [t.status, t.reason])).toEqual([
      ['xfail', 'the kernel is configured to fail (exit-status = 35): checksum'],
      ['xfail', 'the kernel is configured to fail (exit-status = 35): panicked at tests/t.rs:2:3: boom'],
      ['skip', undefined],
    ]);
    expect(tests[2]!.subtests).toEqual([test(1, 'pass')]);
  });

  it('leaves the tests alone when it did not end as configured, or is not configured to fail', () => {
    const tests = [test(1, 'fail')];
    expect(withExpectedFailures(tests, shouldFail, 'fail')).toBe(tests);
    expect(withExpectedFailures(tests, { ...DEFAULT_CONFIG, exitStatus: 33 }, 'pass')).toBe(tests);
    expect(withExpectedFailures(tests, DEFAULT_CONFIG, 'pass')).toBe(tests);
  });
});
