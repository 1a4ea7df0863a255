import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { KernelResult } from '../model.js';
import { countedTests } from './judge.js';

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  /** Planned tests the kernels never reported. */
  notRun: number;
}

/**
 * The run's outcome, decided once from every kernel's verdict: the counts every reporter
 * shows and the exit code every command returns read this, and nothing else.
 */
export interface Outcome {
  /** The kernels reported, each with its verdict. */
  kernels: KernelResult[];
  totals: Totals;
  /** Every kernel passed and nothing stopped the run early. */
  passed: boolean;
  exitCode: ExitCodeValue;
}

/** What stopped a run before every kernel had its verdict. */
export interface EarlyStop {
  /** The exit code of the signal that interrupted the run (130, 143). */
  signalExitCode?: ExitCodeValue;
  /** `--bail` stopped the run at a failure. */
  bailed?: boolean;
}

export function decideOutcome(kernels: KernelResult[], stop: EarlyStop = {}): Outcome {
  const totals = countTests(kernels);
  // A failed count and a kernel that did not pass each fail the run: neither can hide the other.
  const passed = !stop.bailed && totals.failed === 0 && kernels.every((kernel) => kernel.status === 'pass');
  const exitCode = stop.signalExitCode ?? (passed ? ExitCode.Passed : ExitCode.TestsFailed);
  return { kernels, totals, passed, exitCode };
}

/** Expected failures count as passed; a kernel that failed beyond its tests counts as one failed test more. */
function countTests(kernels: KernelResult[]): Totals {
  const sum: Totals = { passed: 0, failed: 0, skipped: 0, notRun: 0 };
  for (const kernel of kernels) {
    for (const test of countedTests(kernel)) {
      if (test.status === 'fail') sum.failed++;
      else if (test.status === 'skip') sum.skipped++;
      else if (test.status === 'notrun') sum.notRun++;
      else sum.passed++;
    }
  }
  return sum;
}
