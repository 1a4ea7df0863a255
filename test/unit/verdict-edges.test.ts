// Verdict rules at their edges: each case here is a mutation of src/verdict that no other test failed.
import { describe, expect, it } from 'vitest';
import type { SerialReport, TestResult } from '../../src/model.js';
import { DEFAULT_CONFIG, type KernelConfig } from '../../src/project/config.js';
import { ConditionWatch } from '../../src/verdict/conditions.js';
import { withExpectedFailures } from '../../src/verdict/expected-failure.js';
import { judge, type Evidence } from '../../src/verdict/judge.js';
import { panicText } from '../../src/parse/panic-text.js';

const test = (number: number, status: TestResult['status']): TestResult => ({ number, name: `t${number}`, status, diagnostics: [], subtests: [] });
const serial = (tests: TestResult[], extra: Partial<SerialReport> = {}): SerialReport => ({ format: 'ktap', tests, problems: [], ...extra });
const evidence = (extra: Partial<Evidence>): Evidence => ({ ending: { kind: 'exited', status: 33 }, serial: serial([test(1, 'pass')]), unmatchedPatterns: [], screenText: '', ...extra });
const config = (extra: Partial<KernelConfig> = {}): KernelConfig => ({ ...DEFAULT_CONFIG, ...extra });
const failDecision = { verdict: 'fail' as const, key: 'fail-when-serial' as const, pattern: 'PANIC', matched: 'PANIC here', seconds: 0.5 };

describe('verdict edges', () => {
  it('a fail-when match cannot turn QEMU or KVM failing to run the kernel into a test failure', () => {
    expect(judge(evidence({ ending: { kind: 'kvm-failed', message: 'KVM stopped the guest' }, decision: failDecision }), config()).status).toBe('error');
    expect(judge(evidence({ ending: { kind: 'qemu-failed', message: 'no such file' }, decision: failDecision }), config()).status).toBe('error');
    expect(judge(evidence({ ending: { kind: 'reset' }, decision: failDecision }), config()).status).toBe('fail');
  });

  it('a run stopped by a condition that was not recorded is an error, not a pass', () => {
    expect(judge(evidence({ ending: { kind: 'decided' } }), config())).toEqual({ status: 'error', reason: 'QEMU was stopped by a condition that was not recorded' });
  });

  it('a hang names every pass condition it waited for', () => {
    const verdict = judge(evidence({ ending: { kind: 'timeout', seconds: 2 }, waitedFor: ['A', 'B'] }), config());
    expect(verdict.reason).toBe('no exit within 2 s, waiting for A or B; QEMU was killed');
  });

  it('tests never reached fail the kernel, with a plan or without one', () => {
    const withPlan = judge(evidence({ serial: serial([test(1, 'pass'), test(2, 'notrun')], { plannedTests: 2 }) }), config());
    expect(withPlan.reason).toBe('the kernel planned 2 tests but reported 1; not run: 2 t2');
    const withoutPlan = judge(evidence({ serial: serial([test(1, 'pass'), test(2, 'notrun')]) }), config());
    expect(withoutPlan).toEqual({ status: 'fail', reason: 'the kernel never reported tests it planned; not run: 2 t2' });
  });

  it('no tests ran names the format the kernel printed', () => {
    expect(judge(evidence({ serial: serial([], { format: 'ktap' }) }), config()).reason).toMatch(/^no tests ran: the kernel printed KTAP\/TAP output without a single result/);
    expect(judge(evidence({ serial: serial([], { format: 'blog_os' }) }), config()).reason).toMatch(/^no tests ran: the kernel printed blog_os output without a single result/);
  });

  it('a kernel configured to fail: the test it stopped in is an expected failure, those after it stay not run', () => {
    const shouldFail = config({ exitStatus: 35 });
    const stopped = withExpectedFailures([test(1, 'pass'), test(2, 'notrun'), test(3, 'notrun')], shouldFail, 'pass');
    expect(stopped.map((t) => t.status)).toEqual(['pass', 'xfail', 'notrun']);
    const nested = withExpectedFailures([{ ...test(1, 'pass'), subtests: [test(1, 'notrun'), test(2, 'notrun')] }, test(2, 'notrun')], shouldFail, 'pass');
    expect([nested[0]!.subtests.map((t) => t.status), nested[1]!.status]).toEqual([['xfail', 'notrun'], 'notrun']);
    // A test that failed is where it stopped: the ones not reported after it never ran.
    const failed = withExpectedFailures([test(1, 'notrun'), { ...test(2, 'pass'), subtests: [test(1, 'fail')] }, test(3, 'notrun')], shouldFail, 'pass');
    expect(failed.map((t) => t.status)).toEqual(['notrun', 'pass', 'notrun']);
    expect(failed[1]!.subtests[0]!.status).toBe('xfail');
  });

  it('names the blog_os test in flight whatever ended the kernel: a reboot loop, a shutdown, a failure status', () => {
    const inFlight = serial([test(1, 'pass'), test(2, 'notrun')], { format: 'blog_os', plannedTests: 2, inFlight: 'a::b' });
    expect(judge(evidence({ ending: { kind: 'reboot-loop', resets: 3 }, serial: inFlight }), config()).reason).toMatch(/^crashed in a::b: the machine kept rebooting \(3 resets;/);
    expect(judge(evidence({ ending: { kind: 'shutdown', reason: 'guest-shutdown' }, serial: inFlight }), config()).reason).toBe(
      'crashed in a::b: the guest shut the machine down (guest-shutdown) instead of exiting through isa-debug-exit',
    );
    expect(judge(evidence({ ending: { kind: 'exited', status: 35 }, serial: inFlight }), config({ failureStatus: 35 })).reason).toBe('stopped in a::b: the kernel reported failure (exit status 35)');
  });

  it('counts blog_os tests never begun only beside the test in flight, and only against a plan', () => {
    const unplanned = serial([test(1, 'notrun'), test(2, 'notrun')], { format: 'blog_os' });
    expect(judge(evidence({ ending: { kind: 'reset' }, serial: unplanned }), config()).reason).toBe('the machine reset (a triple fault, or a reboot) instead of exiting through isa-debug-exit');
  });

  it('a panic without a message is written as its location alone', () => {
    expect(panicText({ file: 'a.rs', line: 1, column: 2, message: '' })).toBe('panicked at a.rs:1:2:');
    expect(panicText({ file: 'a.rs', line: 1, column: 2, message: 'm' })).toBe('panicked at a.rs:1:2:\nm');
  });
});

describe('condition edges', () => {
  it('waits only for pass conditions, and names serial ones as patterns', () => {
    const watch = new ConditionWatch(config({ passWhenSerial: '^done$', failWhenSerial: ['PANIC'], failWhenVga: ['EXCEPTION'] }));
    expect(watch.waitedFor()).toEqual(['a serial line matching /^done$/ (pass-when-serial)']);
  });

  it('keeps checking fail conditions after a pass, and a later fail wins', () => {
    const watch = new ConditionWatch(config({ passWhenSerial: 'ok', failWhenSerial: ['PANIC'] }));
    expect(watch.line('ok', 0.1)).toBe(true);
    expect(watch.decision?.verdict).toBe('pass');
    watch.line('PANIC', 0.2);
    expect(watch.decision).toMatchObject({ verdict: 'fail', key: 'fail-when-serial', seconds: 0.2 });
  });

  it('keeps the first pass: a second matching line does not replace it', () => {
    const watch = new ConditionWatch(config({ passWhenSerial: 'ok' }));
    watch.line('ok 1', 0.1);
    watch.line('ok 2', 0.3);
    expect(watch.decision).toMatchObject({ matched: 'ok 1', seconds: 0.1 });
  });

  it('reports the matched screen row without its padding', () => {
    const watch = new ConditionWatch(config({ failWhenVga: ['PANIC'] }));
    watch.screen('booted\n   PANIC at x   \n', 1);
    expect(watch.decision).toMatchObject({ key: 'fail-when-vga', matched: 'PANIC at x' });
  });
});
