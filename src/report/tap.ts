import type { KernelResult, TestResult } from '../model.js';
import { countedTests, failedBeyondTests } from '../verdict/judge.js';
import { panicText } from '../parse/panic-text.js';
import { printable } from './text.js';

// The run as one TAP document: each kernel a subtest whose own tests (and their subtests)
// are nested below it, a test's diagnostics directly before its result line.
// `tap`: TAP version 14 (https://testanything.org/tap-version-14-specification.html), for TAP
// consumers: `# Subtest:` before a child document indented four spaces, `# TODO` for an
// expected failure, `\#` in descriptions. `ktap`: KTAP version 1
// (https://docs.kernel.org/dev-tools/ktap.html): every document starts with its version line,
// two spaces per level, `# XFAIL` for an expected failure, no `#` in descriptions.

interface Dialect {
  version: string;
  indent: string;
  expectedFailure: 'TODO' | 'XFAIL';
  /** TAP 14 names a subtest before its document; KTAP inside it, after its version line. */
  subtestHeader: 'before' | 'inside';
  nestedVersion: boolean;
  description(name: string): string;
}

const TAP14: Dialect = {
  version: 'TAP version 14',
  indent: '    ',
  expectedFailure: 'TODO',
  subtestHeader: 'before',
  nestedVersion: false,
  description: (name) => oneLine(name).replace(/[\\#]/g, (char) => `\\${char}`),
};

const KTAP1: Dialect = {
  version: 'KTAP version 1',
  indent: '  ',
  expectedFailure: 'XFAIL',
  subtestHeader: 'inside',
  nestedVersion: true,
  description: (name) => oneLine(name).replaceAll('#', '_'),
};

/** The whole run as one TAP version 14 document. */
export function tapReport(kernels: KernelResult[]): string {
  return report(kernels, TAP14);
}

/** The whole run as one KTAP version 1 document. */
export function ktapReport(kernels: KernelResult[]): string {
  return report(kernels, KTAP1);
}

function report(kernels: KernelResult[], dialect: Dialect): string {
  const lines = [dialect.version, `1..${kernels.length}`];
  kernels.forEach((kernel, index) => lines.push(...kernelLines(kernel, index + 1, dialect)));
  return `${lines.join('\n')}\n`;
}

function kernelLines(kernel: KernelResult, number: number, dialect: Dialect): string[] {
  const notes: string[] = [];
  if (kernel.status !== 'pass') {
    // A kernel that failed beyond its tests has its reason on its own `(kernel)` test.
    notes.push(...diagnostics(failedBeyondTests(kernel) ? kernel.status : `${kernel.status}: ${kernel.reason ?? 'unknown reason'}`));
    if (kernel.panic) notes.push(...diagnostics(`panic: ${panicText(kernel.panic)}`));
    notes.push(...diagnostics(`artifacts: ${kernel.artifacts.dir}`));
  }
  if (kernel.cached) notes.push('# cached: passed before with this image and configuration; not booted');
  const id = kernel.id;
  const tests = countedTests(kernel);
  // A kernel without tests (passed by its screen, say) is one result: an empty document would read as "no tests ran".
  const children = tests.length > 0 ? nested(id, tests, dialect) : [];
  return [...children, ...notes, resultLine(kernel.status === 'pass', number, dialect.description(id), '')];
}

/** A child document: its tests numbered by position (a kernel's own numbering may have gaps or repeats, a report may not). */
function nested(name: string, tests: TestResult[], dialect: Dialect): string[] {
  const header = `# Subtest: ${dialect.description(name)}`;
  const body = [
    ...(dialect.nestedVersion ? [dialect.version] : []),
    ...(dialect.subtestHeader === 'inside' ? [header] : []),
    `1..${tests.length}`,
    ...tests.flatMap((test, index) => testLines(test, index + 1, dialect)),
  ].map((line) => dialect.indent + line);
  return dialect.subtestHeader === 'before' ? [header, ...body] : body;
}

function testLines(test: TestResult, number: number, dialect: Dialect): string[] {
  const lines = test.subtests.length > 0 ? nested(test.name, test.subtests, dialect) : [];
  for (const line of test.diagnostics) lines.push(...diagnostics(line));
  for (const line of test.output ?? []) lines.push(...diagnostics(`| ${line}`));
  if (test.durationMs !== undefined) lines.push(`# time=${test.durationMs}ms`);
  if (test.status === 'fail' && test.panic) lines.push(...diagnostics(`panic: ${panicText(test.panic)}`));
  else if (test.status === 'fail' && test.reason) lines.push(...diagnostics(test.reason));
  else if (test.status === 'notrun') lines.push(...diagnostics(`not run: ${test.reason ?? 'never reported'}`));
  const why = test.reason ? ` ${oneLine(test.reason)}` : '';
  const directive = {
    pass: '',
    fail: '',
    skip: ` # SKIP${why}`,
    xfail: ` # ${dialect.expectedFailure}${why}`,
    notrun: '',
  }[test.status];
  const ok = test.status === 'pass' || test.status === 'skip';
  lines.push(resultLine(ok, number, dialect.description(test.name), directive));
  return lines;
}

function resultLine(ok: boolean, number: number, description: string, directive: string): string {
  return `${ok ? 'ok' : 'not ok'} ${number} ${description}${directive}`;
}

function oneLine(text: string): string {
  return printable(text.replace(/\r?\n/g, ' '));
}

function diagnostics(text: string): string[] {
  return text.split(/\r?\n/).map((line) => `# ${printable(line)}`.trimEnd());
}
