import type { KernelResult, TestResult } from '../model.js';
import { countedTests, describePanic } from '../verdict/judge.js';
import { kernelId } from '../run/select.js';
import { printable } from './text.js';

// JUnit XML as CI systems read it (GitHub, GitLab, Jenkins, Azure): one <testsuite> per
// kernel, one <testcase> per test, and one more testcase for a kernel that failed beyond
// its tests (a hang, a crash, a VGA mismatch: see countedTests). The kernel's serial log is
// its suite's <system-out>. Only whole kernels are timed: a kernel reports no per-test time.

export interface JunitOptions {
  /** The serial log to show as a kernel's `<system-out>`; without one, its last serial lines. */
  serialLog?: (kernel: KernelResult) => string | undefined;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function junitReport(kernels: KernelResult[], options: JunitOptions = {}): string {
  const suites = kernels.map((kernel) => suite(kernel, options));
  const sum = suites.reduce<Counts>(
    (total, { counts }) => ({
      tests: total.tests + counts.tests,
      failures: total.failures + counts.failures,
      errors: total.errors + counts.errors,
      skipped: total.skipped + counts.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const seconds = kernels.reduce((total, kernel) => total + kernel.durationMs, 0) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'alloc-runner', ...sum, time: seconds.toFixed(3) })}>`,
    ...suites.flatMap(({ xml }) => xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(kernel: KernelResult, options: JunitOptions): { xml: string[]; counts: Counts } {
  const id = kernelId(kernel);
  const tests = countedTests(kernel);
  const kernelCase = tests.length > kernel.tests.length ? tests.at(-1) : undefined;
  const counts: Counts = { tests: tests.length, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  for (const test of kernel.tests) {
    if (test.status === 'fail') counts.failures++;
    if (test.status === 'skip') counts.skipped++;
    cases.push(...testCase(test, id, kernel));
  }
  if (kernelCase) {
    // QEMU that could not run the kernel, or a run stopped by a signal, is an error of the run, not a failed test.
    const element = kernel.status === 'error' || kernel.status === 'interrupted' ? 'error' : 'failure';
    counts[element === 'error' ? 'errors' : 'failures']++;
    cases.push(
      `    <testcase${attributes({ name: kernelCase.name, classname: id, time: seconds(kernel) })}>`,
      `      <${element}${attributes({ message: oneLine(kernel.reason ?? 'unknown reason'), type: kernel.status })}>${text(failureBody(kernel))}</${element}>`,
      '    </testcase>',
    );
  }
  const properties = {
    status: kernel.status,
    image: kernel.image,
    exitStatus: kernel.exitStatus,
    accelerator: kernel.accelerator,
    artifacts: kernel.artifacts.dir,
    cached: kernel.cached ? 'true' : undefined,
  };
  const xml = [
    `  <testsuite${attributes({ name: id, ...counts, time: seconds(kernel) })}>`,
    '    <properties>',
    ...Object.entries(properties)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `      <property${attributes({ name, value: String(value) })}/>`),
    '    </properties>',
    ...cases,
    `    <system-out>${text(options.serialLog?.(kernel) ?? kernel.lastSerialLines.join('\n'))}</system-out>`,
    '  </testsuite>',
  ];
  return { xml, counts };
}

function testCase(test: TestResult, classname: string, kernel: KernelResult): string[] {
  const open = `    <testcase${attributes({ name: test.name, classname })}`;
  const details = [...test.diagnostics, ...test.subtests.map((subtest) => `subtest ${subtest.number} ${subtest.name}: ${subtest.status}`)];
  switch (test.status) {
    case 'pass':
      return details.length > 0 ? [`${open}>`, `      <system-out>${text(details.join('\n'))}</system-out>`, '    </testcase>'] : [`${open}/>`];
    case 'xfail':
      // JUnit knows no expected failure: it passed, and says why it failed as it should.
      return [`${open}>`, `      <system-out>${text([`expected failure${test.reason ? `: ${test.reason}` : ''}`, ...details].join('\n'))}</system-out>`, '    </testcase>'];
    case 'skip':
      return [`${open}>`, `      <skipped${attributes({ message: oneLine(test.reason ?? 'skipped') })}/>`, '    </testcase>'];
    case 'fail': {
      const message = test.panic ? describePanic(test.panic) : (test.reason ?? kernel.reason ?? 'failed');
      const body = [
        test.panic ? `panicked at ${test.panic.file}:${test.panic.line}:${test.panic.column}:\n${test.panic.message}` : undefined,
        details.length > 0 ? details.join('\n') : undefined,
        kernel.reason ? `kernel: ${kernel.status}: ${kernel.reason}` : undefined,
        lastLines(kernel),
      ].filter(Boolean);
      return [
        `${open}>`,
        `      <failure${attributes({ message: oneLine(message), type: test.panic ? 'panic' : 'fail' })}>${text(body.join('\n\n'))}</failure>`,
        '    </testcase>',
      ];
    }
  }
}

function failureBody(kernel: KernelResult): string {
  return [
    `${kernel.status}: ${kernel.reason ?? 'unknown reason'}`,
    kernel.panic ? describePanic(kernel.panic) : undefined,
    lastLines(kernel),
    kernel.screenText !== undefined ? `VGA screen:\n${kernel.screenText || '(blank)'}` : `VGA screen: none (${kernel.noScreenReason ?? 'not read'})`,
    `artifacts: ${kernel.artifacts.dir}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

function lastLines(kernel: KernelResult): string | undefined {
  return kernel.lastSerialLines.length > 0 ? `last serial lines:\n${kernel.lastSerialLines.join('\n')}` : undefined;
}

const seconds = (kernel: KernelResult) => (kernel.durationMs / 1000).toFixed(3);
const oneLine = (message: string) => message.split('\n')[0]!;

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value)).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}"`)
    .join('');
}

/** Element text: escaped, line endings normalised, unprintable characters made visible. */
function text(value: string): string {
  return escapeXml(value.replace(/\r\n/g, '\n'));
}

function escapeXml(value: string): string {
  return printable(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}
