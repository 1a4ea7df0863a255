// The verdict from random endings, serial reports and configurations: judge never throws,
// and a kernel passes only when everything it showed says so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ending, KernelStatus, PanicInfo, SerialReport, TestResult } from '../../src/model.js';
import { DEFAULT_CONFIG, type KernelConfig } from '../../src/project/config.js';
import { countedTests, judge, type Evidence } from '../../src/verdict/judge.js';
import type { Decision } from '../../src/verdict/conditions.js';

const RUNS = 10_000;
const STATUSES: KernelStatus[] = ['pass', 'fail', 'crash', 'hang', 'error', 'interrupted'];

const exitStatus = fc.oneof(fc.constantFrom(0, 1, 33, 35, 255), fc.integer({ min: 0, max: 255 }));
const text = fc.string({ maxLength: 20 });
/** The parser's problems always say where: never empty. */
const problem = fc.string({ minLength: 1, maxLength: 20 }).map((message) => `line 1: ${message}`);
const ending: fc.Arbitrary<Ending> = fc.oneof(
  exitStatus.map((status) => ({ kind: 'exited' as const, status })),
  fc.constant({ kind: 'reset' as const }),
  fc.integer({ min: 1, max: 10 }).map((resets) => ({ kind: 'reboot-loop' as const, resets })),
  text.map((reason) => ({ kind: 'shutdown' as const, reason })),
  fc.double({ min: 0.001, max: 1e6, noNaN: true }).map((seconds) => ({ kind: 'timeout' as const, seconds })),
  text.map((message) => ({ kind: 'qemu-failed' as const, message })),
  text.map((message) => ({ kind: 'kvm-failed' as const, message })),
  fc.constant({ kind: 'interrupted' as const }),
  fc.constant({ kind: 'decided' as const }),
);
/** What a pass-when / fail-when condition decided while the kernel ran. */
const decisionOf = (verdicts: Array<'pass' | 'fail'>): fc.Arbitrary<Decision> =>
  fc.record({
    verdict: fc.constantFrom(...verdicts),
    key: fc.constantFrom('pass-when-vga', 'pass-when-serial', 'fail-when-vga', 'fail-when-serial'),
    pattern: fc.string({ maxLength: 20 }),
    matched: fc.string({ maxLength: 20 }),
    seconds: fc.double({ min: 0, max: 1e4, noNaN: true }),
  });
const panic: fc.Arbitrary<PanicInfo> = fc.record({ message: text, file: text, line: fc.nat(), column: fc.nat() });
/** A result with subtests nested at most `depth` deep. */
const testAt = (depth: number): fc.Arbitrary<TestResult> =>
  fc.record(
    {
      number: fc.nat(50),
      name: text,
      status: fc.constantFrom('pass', 'fail', 'skip', 'xfail', 'notrun'),
      reason: text,
      panic,
      diagnostics: fc.array(text, { maxLength: 2 }),
      subtests: depth === 0 ? fc.constant([]) : fc.array(testAt(depth - 1), { maxLength: 2 }),
    },
    { requiredKeys: ['number', 'name', 'status', 'diagnostics', 'subtests'] },
  );
const testResult = testAt(2);
/** A result a passing kernel could print: no failure, no panic. */
const cleanTest: fc.Arbitrary<TestResult> = fc.record({
  number: fc.nat(50),
  name: text,
  status: fc.constantFrom('pass', 'pass', 'skip', 'xfail'),
  diagnostics: fc.constant([]),
  subtests: fc.constant([]),
});
const serial: fc.Arbitrary<SerialReport> = fc.record(
  {
    format: fc.constantFrom('ktap', 'blog_os', 'none'),
    plannedTests: fc.nat(8),
    tests: fc.array(testResult, { maxLength: 6 }),
    panic,
    problems: fc.array(problem, { maxLength: 2 }),
  },
  { requiredKeys: ['format', 'tests', 'problems'] },
);
const randomConfig: fc.Arbitrary<KernelConfig> = fc.record({
  timeout: fc.constant(60),
  successStatus: fc.constantFrom(33, 1, 0, 255),
  failureStatus: fc.constantFrom(35, 33, 3),
  exitStatus: fc.option(exitStatus, { nil: undefined }),
  vgaContains: fc.array(fc.constantFrom('Allocator works!', 'ok', ''), { maxLength: 2 }),
  vgaExcludes: fc.array(fc.constantFrom('PANIC', 'x'), { maxLength: 2 }),
  serialMatches: fc.constant([]),
  qemuArgs: fc.constant([]),
  noTests: fc.constantFrom('fail', 'pass'),
  firmware: fc.constant('bios' as const),
});
const config = fc.oneof(randomConfig, fc.constant(DEFAULT_CONFIG));
const randomEvidence: fc.Arbitrary<Evidence> = fc.record(
  {
    ending,
    serial,
    screenText: fc.oneof(text, fc.constantFrom('Allocator works!', 'PANIC at x')),
    noScreenReason: text,
    unmatchedPatterns: fc.array(text, { maxLength: 2 }),
    decision: decisionOf(['pass', 'fail']),
  },
  { requiredKeys: ['ending', 'serial', 'unmatchedPatterns'] },
);
/** Evidence close to a pass, so that the pass rules meet many inputs they must judge. */
const nearPass: fc.Arbitrary<Evidence> = fc.record({
  ending: fc.oneof(fc.constant({ kind: 'exited' as const, status: 33 }), fc.constant({ kind: 'decided' as const }), ending),
  serial: fc.record({
    format: fc.constantFrom('ktap', 'blog_os', 'none'),
    plannedTests: fc.option(fc.nat(4), { nil: undefined }),
    tests: fc.array(fc.oneof({ weight: 8, arbitrary: cleanTest }, { weight: 1, arbitrary: testResult }), { maxLength: 5 }),
    problems: fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(problem, { maxLength: 1 }) }),
  }),
  screenText: fc.constantFrom('Allocator works!', 'Allocator works! PANIC', ''),
  unmatchedPatterns: fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(text, { maxLength: 1 }) }),
  decision: fc.oneof({ weight: 6, arbitrary: decisionOf(['pass']) }, { weight: 1, arbitrary: decisionOf(['fail']) }),
});
const evidence = fc.oneof(randomEvidence, nearPass);

const EXPECTED_STATUS: Record<Exclude<Ending['kind'], 'exited' | 'decided'>, KernelStatus> = {
  reset: 'crash',
  'reboot-loop': 'crash',
  shutdown: 'crash',
  timeout: 'hang',
  'qemu-failed': 'error',
  'kvm-failed': 'error',
  interrupted: 'interrupted',
};

const flatten = (tests: TestResult[]): TestResult[] => tests.flatMap((test) => [test, ...flatten(test.subtests)]);

// Thousands of runs take seconds on a loaded machine: the timeout only guards against a hang.
describe('exit-status judgement, fuzzed', { timeout: 60_000 }, () => {
  it('never throws, and gives a known status with a reason whenever it is not a pass', () => {
    fc.assert(
      fc.property(evidence, config, (input, settings) => {
        const verdict = judge(input, settings);
        expect(STATUSES).toContain(verdict.status);
        if (verdict.status === 'pass') expect(verdict.reason).toBeUndefined();
        else expect(verdict.reason).toMatch(/\S/);
        const counted = countedTests({ name: 'k', tests: input.serial.tests, ...verdict });
        if (verdict.status !== 'pass') expect(counted.some((test) => test.status === 'fail')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('maps every ending but an exit or a decision to its own status, never to a pass', () => {
    fc.assert(
      fc.property(evidence, config, (input, settings) => {
        if (input.ending.kind === 'exited' || input.ending.kind === 'decided') return;
        const failedByCondition = input.decision?.verdict === 'fail' && !['qemu-failed', 'kvm-failed'].includes(input.ending.kind);
        expect(judge(input, settings).status).toBe(failedByCondition ? 'fail' : EXPECTED_STATUS[input.ending.kind]);
      }),
      { numRuns: RUNS },
    );
  });

  it('fails whatever the ending once a fail-when condition matched, but for QEMU failing to run it', () => {
    fc.assert(
      fc.property(evidence, config, decisionOf(['fail']), (input, settings, failed) => {
        const verdict = judge({ ...input, decision: failed }, settings);
        if (input.ending.kind === 'qemu-failed' || input.ending.kind === 'kvm-failed') expect(verdict.status).toBe('error');
        else expect(verdict).toMatchObject({ status: 'fail', reason: expect.stringContaining(failed.key) });
      }),
      { numRuns: RUNS },
    );
  });

  it('passes only an expected exit whose tests, panics, plan, screen and patterns all agree', () => {
    fc.assert(
      fc.property(evidence, config, (input, settings) => {
        const verdict = judge(input, settings);
        if (verdict.status !== 'pass') return;
        const { ending, serial: report } = input;
        const expected = settings.exitStatus ?? settings.successStatus;
        if (ending.kind === 'decided') {
          // Stopped by a pass condition: that condition, and the tests below, decide.
          expect(input.decision?.verdict).toBe('pass');
          expect(verdict.decidedBy).toMatch(/\S/);
        } else {
          expect(ending).toEqual({ kind: 'exited', status: expected });
          expect(expected).not.toBe(0); // under -no-reboot, status 0 is a reset
          expect(input.decision?.verdict).not.toBe('fail');
        }
        expect(input.unmatchedPatterns).toEqual([]);
        for (const wanted of settings.vgaContains) expect(input.screenText).toContain(wanted);
        for (const unwanted of settings.vgaExcludes) expect(input.screenText ?? '').not.toContain(unwanted);
        if (ending.kind === 'exited' && expected !== settings.successStatus) return; // a kernel expected to fail may report failures
        expect(report.tests.filter((test) => test.status === 'fail' || test.status === 'notrun')).toEqual([]);
        if (settings.noTests === 'fail' && report.format !== 'none') expect(report.tests.length).toBeGreaterThan(0);
        expect(report.panic).toBeUndefined();
        expect(report.problems).toEqual([]);
        expect(report.tests.length).toBeGreaterThanOrEqual(report.plannedTests ?? 0);
        expect(flatten(report.tests).filter((test) => test.status === 'pass' && test.panic)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('an exit status or a pass condition never hides a failed test: adding one to a passing kernel fails it', () => {
    fc.assert(
      fc.property(evidence, config, testResult, (input, settings, extra) => {
        if (judge(input, settings).status !== 'pass') return;
        if (input.ending.kind === 'exited' && (settings.exitStatus ?? settings.successStatus) !== settings.successStatus) return;
        const failing = { ...input, serial: { ...input.serial, tests: [...input.serial.tests, { ...extra, status: 'fail' as const }] } };
        expect(judge(failing, settings).status).toBe('fail');
      }),
      { numRuns: RUNS },
    );
  });

  it('passes often enough for the properties above to mean something', () => {
    const passing = fc.sample(fc.tuple(evidence, config), { numRuns: 5000, seed: 42 }).filter(([input, settings]) => judge(input, settings).status === 'pass');
    expect(passing.length).toBeGreaterThan(250);
  });
});

// The defaults are what users get: keep one concrete example of them.
describe('exit-status judgement with the default configuration', () => {
  it('fails a result reported ok after a panic', () => {
    const report: SerialReport = {
      format: 'ktap',
      plannedTests: 1,
      tests: [{ number: 1, name: 'second', status: 'pass', panic: { message: 'boom', file: 'a.rs', line: 1, column: 2 }, diagnostics: [], subtests: [] }],
      problems: [],
    };
    const verdict = judge({ ending: { kind: 'exited', status: 33 }, serial: report, unmatchedPatterns: [], screenText: '' }, DEFAULT_CONFIG);
    expect(verdict).toEqual({ status: 'fail', reason: 'test 1 second was reported ok after a panic: panicked at a.rs:1:2: boom' });
  });
});
