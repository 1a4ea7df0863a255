import type { KernelResult, TestResult } from '../model.js';
import { failedBeyondTests } from '../verdict/judge.js';
import { panicSummary, panicText } from '../parse/panic-text.js';
import { printable } from './text.js';

// JUnit XML as CI systems read it (GitHub, GitLab, Jenkins, Azure): one <testsuite> per
// kernel, one <testcase> per test without subtests (a subtest is named `parent › subtest`;
// a parent has its own testcase only when it failed and none of its subtests did), and one
// more testcase for a kernel that failed beyond its tests (a hang, a crash, a VGA
// mismatch: see failedBeyondTests). A test's diagnostics and output are its <system-out>. The kernel's serial log is
// its suite's <system-out>. A testcase's time is its test's durationMs; its heap figures
// (`metrics`) are its <properties>.

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
  const id = kernel.id;
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  for (const testcase of junitCases(kernel.tests, '')) {
    const { test } = testcase;
    counts.tests++;
    if (test.status === 'fail') counts.failures++;
    if (test.status === 'notrun') counts.errors++;
    if (test.status === 'skip') counts.skipped++;
    cases.push(...testCase(testcase, id, kernel));
  }
  const kernelCase = failedBeyondTests(kernel) ? { name: `${kernel.name} (kernel)` } : undefined;
  if (kernelCase) {
    // QEMU that could not run the kernel, or a run stopped by a signal, is an error of the run, not a failed test.
    const element = kernel.status === 'error' || kernel.status === 'interrupted' ? 'error' : 'failure';
    counts.tests++;
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

/** The tests that get a testcase: those without subtests, and a parent whose failure is its own. */
function junitCases(tests: TestResult[], path: string): Array<{ test: TestResult; name: string; log: string[] }> {
  return tests.flatMap((test) => {
    const name = `${path}${test.name}`;
    const log = [...test.diagnostics.map((line) => `# ${line}`), ...(test.output ?? [])];
    if (test.subtests.length === 0) return [{ test, name, log }];
    const own = test.status === 'fail' && !test.subtests.some((subtest) => subtest.status === 'fail' || subtest.status === 'notrun');
    if (own) return [{ test, name, log }, ...junitCases(test.subtests, `${name} › `)];
    // A parent without a testcase of its own lends what it printed to its first subtest's.
    const [first, ...rest] = junitCases(test.subtests, `${name} › `);
    return first ? [{ ...first, log: [...log, ...first.log] }, ...rest] : [];
  });
}

function testCase({ test, name, log }: { test: TestResult; name: string; log: string[] }, classname: string, kernel: KernelResult): string[] {
  const time = test.durationMs === undefined ? undefined : (test.durationMs / 1000).toFixed(3);
  const metrics = Object.entries(test.metrics ?? {});
  const properties = metrics.length > 0
    ? ['      <properties>', ...metrics.map(([key, value]) => `        <property${attributes({ name: key, value })}/>`), '      </properties>']
    : [];
  const open = [`    <testcase${attributes({ name, classname, time })}>`, ...properties];
  const systemOut = log.length > 0 ? [`      <system-out>${text(log.join('\n'))}</system-out>`] : [];
  const close = '    </testcase>';
  switch (test.status) {
    case 'pass':
      return systemOut.length + properties.length > 0 ? [...open, ...systemOut, close] : [(open[0] as string).replace(/>$/, '/>')];
    case 'xfail':
      // JUnit knows no expected failure: it passed, and says why it failed as it should.
      return [...open, `      <system-out>${text([`expected failure${test.reason ? `: ${test.reason}` : ''}`, ...log].join('\n'))}</system-out>`, close];
    case 'skip':
      return [...open, `      <skipped${attributes({ message: oneLine(test.reason ?? 'skipped') })}/>`, ...systemOut, close];
    case 'notrun': {
      const body = [`not run: ${test.reason ?? 'never reported'}`, kernel.reason ? `kernel: ${kernel.status}: ${kernel.reason}` : undefined, lastLines(kernel)];
      const message = `not run: ${test.reason ?? 'never reported'}`;
      return [...open, `      <error${attributes({ message, type: 'notrun' })}>${text(body.filter(Boolean).join('\n\n'))}</error>`, ...systemOut, close];
    }
    case 'fail': {
      const message = test.panic ? panicSummary(test.panic) : (test.reason ?? kernel.reason ?? 'failed');
      const body = [
        test.panic ? panicText(test.panic) : test.reason,
        kernel.reason ? `kernel: ${kernel.status}: ${kernel.reason}` : undefined,
        lastLines(kernel),
      ].filter(Boolean);
      return [
        ...open,
        `      <failure${attributes({ message: oneLine(message), type: test.panic ? 'panic' : 'fail' })}>${text(body.join('\n\n'))}</failure>`,
        ...systemOut,
        close,
      ];
    }
  }
}

function failureBody(kernel: KernelResult): string {
  return [
    `${kernel.status}: ${kernel.reason ?? 'unknown reason'}`,
    kernel.panic ? panicSummary(kernel.panic) : undefined,
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
