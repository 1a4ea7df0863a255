import type { KernelStatus, TestResult } from '../model.js';
import type { KernelConfig } from '../project/config.js';
import { panicSummary } from '../parse/panic-text.js';

/**
 * A kernel configured to end with a status other than success (`exit-status = 35`, a
 * `should_fail` kernel) fails on purpose: when it ends as configured, the tests that failed
 * inside it are expected failures (`xfail`), so that no report counts them as failed while
 * showing the kernel passed. Where no test failed, the first one never reported is the one
 * that was running when the kernel failed (blog_os's test in flight), an expected failure
 * too; the tests after it never ran, and stay not run.
 */
export function withExpectedFailures(tests: TestResult[], config: KernelConfig, status: KernelStatus): TestResult[] {
  const failsOnPurpose = config.exitStatus !== undefined && config.exitStatus !== config.successStatus;
  if (!failsOnPurpose || status !== 'pass') return tests;
  const stoppedIn = tests.some(failedAnywhere) ? undefined : firstNotRun(tests);
  const expected = (test: TestResult): TestResult => {
    const subtests = test.subtests.map(expected);
    if (test.status !== 'fail' && test !== stoppedIn) return { ...test, subtests };
    const why = test.reason ?? (test.panic && panicSummary(test.panic));
    const reason = `the kernel is configured to fail (exit-status = ${config.exitStatus})${why ? `: ${why}` : ''}`;
    return { ...test, status: 'xfail', reason, subtests };
  };
  return tests.map(expected);
}

function failedAnywhere(test: TestResult): boolean {
  return test.status === 'fail' || test.subtests.some(failedAnywhere);
}

/** The first test not run, depth first. */
function firstNotRun(tests: TestResult[]): TestResult | undefined {
  for (const test of tests) {
    if (test.status === 'notrun') return test;
    const inside = firstNotRun(test.subtests);
    if (inside) return inside;
  }
  return undefined;
}
