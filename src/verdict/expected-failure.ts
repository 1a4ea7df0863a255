import type { KernelStatus, TestResult } from '../model.js';
import type { KernelConfig } from '../project/config.js';
import { panicSummary } from '../parse/panic-text.js';

/**
 * A kernel configured to end with a status other than success (`exit-status = 35`, a
 * `should_fail` kernel) fails on purpose: when it ends as configured, the tests that failed
 * inside it are expected failures (`xfail`), so that no report counts them as failed while
 * showing the kernel passed.
 */
export function withExpectedFailures(tests: TestResult[], config: KernelConfig, status: KernelStatus): TestResult[] {
  const failsOnPurpose = config.exitStatus !== undefined && config.exitStatus !== config.successStatus;
  if (!failsOnPurpose || status !== 'pass') return tests;
  const expected = (test: TestResult): TestResult => {
    const subtests = test.subtests.map(expected);
    if (test.status !== 'fail' && test.status !== 'notrun') return { ...test, subtests };
    const why = test.reason ?? (test.panic && panicSummary(test.panic));
    const reason = `the kernel is configured to fail (exit-status = ${config.exitStatus})${why ? `: ${why}` : ''}`;
    return { ...test, status: 'xfail', reason, subtests };
  };
  return tests.map(expected);
}
