import type { KernelConfig } from '../project/config.js';
import type { Ending, KernelStatus, SerialReport, TestResult } from '../model.js';
import { describeDecision, type Decision } from './conditions.js';
import { panicSummary } from '../parse/panic-text.js';

export interface Evidence {
  ending: Ending;
  serial: SerialReport;
  screenText?: string;
  noScreenReason?: string;
  /** The `serial-matches` patterns that no serial line matched. */
  unmatchedPatterns: string[];
  /** What the `pass-when-*` / `fail-when-*` conditions decided while the kernel ran, if anything. */
  decision?: Decision;
  /** The pass conditions still waited for when the run ended. */
  waitedFor?: string[];
}

export interface Verdict {
  status: KernelStatus;
  reason?: string;
  /** The condition that decided a pass before the kernel exited. */
  decidedBy?: string;
}

/** Decides a kernel's verdict from everything the run showed. An exit status never hides a failed test. */
export function judge(evidence: Evidence, config: KernelConfig): Verdict {
  const { ending, decision } = evidence;
  // A fail-when match wins over any pass and any exit, once the kernel ran at all.
  if (decision?.verdict === 'fail' && ending.kind !== 'qemu-failed' && ending.kind !== 'kvm-failed') {
    return { status: 'fail', reason: `${describeDecision(decision)}${withPanic(evidence.serial)}` };
  }
  switch (ending.kind) {
    case 'qemu-failed':
      return { status: 'error', reason: `QEMU could not run the kernel: ${ending.message}` };
    case 'kvm-failed':
      return { status: 'error', reason: `${ending.message}; run with --accel tcg` };
    case 'timeout':
      return {
        status: 'hang',
        reason: `${inFlight('hung', evidence.serial)}no exit within ${ending.seconds} s${waitedFor(evidence)}${withPanic(evidence.serial)}; QEMU was killed${neverRan(evidence.serial)}`,
      };
    case 'decided':
      return judgeDecidedPass(evidence, config);
    case 'reset':
      return {
        status: 'crash',
        reason: `${inFlight('crashed', evidence.serial)}the machine reset (a triple fault, or a reboot) instead of exiting through isa-debug-exit${withPanic(evidence.serial)}${neverRan(evidence.serial)}`,
      };
    case 'reboot-loop':
      return {
        status: 'crash',
        reason: `${inFlight('crashed', evidence.serial)}the machine kept rebooting (${ending.resets} resets; the QEMU arguments allow reboots) instead of exiting through isa-debug-exit${withPanic(evidence.serial)}${neverRan(evidence.serial)}`,
      };
    case 'interrupted':
      return { status: 'interrupted', reason: 'alloc-runner was interrupted while the kernel ran; QEMU was stopped' };
    case 'shutdown':
      return {
        status: 'crash',
        reason: `${inFlight('crashed', evidence.serial)}the guest shut the machine down (${ending.reason}) instead of exiting through isa-debug-exit${neverRan(evidence.serial)}`,
      };
    case 'exited':
      return judgeExit(ending.status, evidence, config);
  }
}

function judgeExit(status: number, evidence: Evidence, config: KernelConfig): Verdict {
  const expected = config.exitStatus ?? config.successStatus;
  if (status === 0) {
    return {
      status: 'crash',
      reason: `${inFlight('crashed', evidence.serial)}QEMU exited with status 0: under -no-reboot that is a triple fault or a reset${neverRan(evidence.serial)}`,
    };
  }
  if (status !== expected) {
    const what =
      status === config.failureStatus
        ? `the kernel reported failure (exit status ${status})`
        : `exit status ${status}${debugExitValue(status)}, expected ${expected}`;
    return { status: 'fail', reason: `${inFlight('stopped', evidence.serial)}${what}${withPanic(evidence.serial)}${neverRan(evidence.serial)}` };
  }
  const problems = expected === config.successStatus ? testProblems(evidence.serial, config) : [];
  problems.push(...expectationProblems(evidence, config));
  return problems.length === 0 ? { status: 'pass' } : { status: 'fail', reason: problems.join('; ') };
}

/** Stopped by a pass condition: a pass only when the tests and the expectations agree. */
function judgeDecidedPass(evidence: Evidence, config: KernelConfig): Verdict {
  if (!evidence.decision) return { status: 'error', reason: 'QEMU was stopped by a condition that was not recorded' };
  const decidedBy = describeDecision(evidence.decision);
  const problems = [...testProblems(evidence.serial, config, `${evidence.decision.key} was met`), ...expectationProblems(evidence, config)];
  if (problems.length === 0) return { status: 'pass', decidedBy };
  return { status: 'fail', reason: `${problems.join('; ')} (QEMU was stopped when ${decidedBy})` };
}

/** `, and the screen never showed "X" (pass-when-vga)`: what a hung kernel was waited for. */
function waitedFor(evidence: Evidence): string {
  const waited = evidence.waitedFor ?? [];
  return waited.length === 0 ? '' : `, waiting for ${waited.join(' or ')}`;
}

/** `ended` says how the kernel claimed success: its exit, or a pass condition met. */
function testProblems(serial: SerialReport, config: KernelConfig, ended = 'the kernel exited with success'): string[] {
  const problems: string[] = [];
  const named = (tests: TestResult[]) => tests.map((test) => `${test.number} ${test.name}`).join(', ');
  const failed = serial.tests.filter((test) => test.status === 'fail');
  if (failed.length > 0) {
    problems.push(`${ended}, but ${failed.length === 1 ? 'a test' : 'tests'} failed: ${named(failed)}`);
  }
  const notRun = serial.tests.filter((test) => test.status === 'notrun');
  const reported = serial.tests.length - notRun.length;
  const never = notRun.length > 0 ? `; not run: ${named(notRun)}` : '';
  if (serial.plannedTests !== undefined && (notRun.length > 0 || serial.tests.length < serial.plannedTests)) {
    problems.push(`the kernel planned ${serial.plannedTests} tests but reported ${reported}${never}`);
  } else if (notRun.length > 0) {
    problems.push(`the kernel never reported tests it planned${never}`);
  }
  if (serial.format !== 'none' && serial.tests.length === 0 && config.noTests === 'fail') {
    problems.push(`no tests ran: the kernel printed ${serial.format === 'ktap' ? 'KTAP/TAP' : 'blog_os'} output without a single result (set no-tests = "pass" if that is expected)`);
  }
  if (serial.panic) problems.push(`${ended} after a panic: ${panicSummary(serial.panic)}`);
  // A panic is claimed by the result line after it: `ok` (or a skip) there means the kernel kept going.
  const okAfterPanic = flatten(serial.tests).filter((test) => (test.status === 'pass' || test.status === 'skip') && test.panic);
  for (const test of okAfterPanic) {
    const said = test.status === 'pass' ? 'ok' : 'skipped';
    problems.push(`test ${test.number} ${test.name} was reported ${said} after a panic: ${panicSummary(test.panic!)}`);
  }
  problems.push(...serial.problems);
  return problems;
}

function expectationProblems(evidence: Evidence, config: KernelConfig): string[] {
  const problems: string[] = [];
  const wantsScreen = config.vgaContains.length > 0 || config.vgaExcludes.length > 0;
  if (wantsScreen && evidence.screenText === undefined) {
    problems.push(`VGA expectations are set but the screen could not be read: ${evidence.noScreenReason ?? 'unknown reason'}`);
  } else if (evidence.screenText !== undefined) {
    const screen = evidence.screenText;
    for (const text of config.vgaContains) {
      if (!screen.includes(text)) problems.push(`the VGA screen should contain "${text}" but shows:\n${indent(screen)}`);
    }
    for (const text of config.vgaExcludes) {
      if (screen.includes(text)) problems.push(`the VGA screen should not contain "${text}" but shows:\n${indent(screen)}`);
    }
  }
  for (const pattern of evidence.unmatchedPatterns) problems.push(`no serial line matched /${pattern}/`);
  return problems;
}

function flatten(tests: TestResult[]): TestResult[] {
  return tests.flatMap((test) => [test, ...flatten(test.subtests)]);
}

/** `hung in basic_boot::wait_forever: `: the test that was running when the kernel stopped (blog_os names each as it starts). */
function inFlight(what: 'hung' | 'crashed' | 'stopped', serial: SerialReport): string {
  return serial.inFlight === undefined ? '' : `${what} in ${serial.inFlight}: `;
}

/** `; 2 of 4 tests never ran`: a blog_os kernel announced tests it never began (it stops at the first failure). */
function neverRan(serial: SerialReport): string {
  if (serial.format !== 'blog_os' || serial.plannedTests === undefined) return '';
  const never = serial.tests.filter((test) => test.status === 'notrun').length - (serial.inFlight === undefined ? 0 : 1);
  return never > 0 ? `; ${never} of ${serial.plannedTests} tests never ran` : '';
}

/** The first panic the kernel reported, in a test or outside, as ": panicked at ...". */
function withPanic(serial: SerialReport): string {
  const panic = serial.panic ?? serial.tests.find((test) => test.panic)?.panic;
  return panic ? `: ${panicSummary(panic)}` : '';
}

/** isa-debug-exit turns value v into status (v << 1) | 1; name v when the status could be one. */
function debugExitValue(status: number): string {
  return status % 2 === 1 ? ` (isa-debug-exit value 0x${((status - 1) / 2).toString(16)})` : '';
}

function indent(text: string): string {
  return (text || '(blank screen)')
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
}

/**
 * Whether a kernel failed for more than its failed tests say (a hang, a crash, tests that never
 * ran, a VGA mismatch, an exit status): then every reporter counts the kernel itself as one
 * more failed test, `NAME (kernel)`, with the kernel's reason.
 */
export function failedBeyondTests(kernel: { status: KernelStatus; tests: TestResult[] }): boolean {
  return kernel.status !== 'pass' && !kernel.tests.some((test) => test.status === 'fail');
}

/** The tests to count for a kernel: its own, plus one for the kernel when it failed beyond its tests. */
export function countedTests(kernel: { name: string; status: KernelStatus; reason?: string; tests: TestResult[] }): TestResult[] {
  if (!failedBeyondTests(kernel)) return kernel.tests;
  return [
    ...kernel.tests,
    { number: kernel.tests.length + 1, name: `${kernel.name} (kernel)`, status: 'fail', reason: kernel.reason, diagnostics: [], subtests: [] },
  ];
}
