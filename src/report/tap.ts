import type { KernelResult, PanicInfo, TestResult } from '../model.js';
import { countedTests } from '../verdict/judge.js';
import { kernelId } from '../run/select.js';
import { printable } from './text.js';

// KTAP version 1 (https://docs.kernel.org/dev-tools/ktap.html): one document for the run,
// each kernel a subtest whose own tests (and their subtests) are nested below it.
// A nested document is indented four spaces per level, as KUnit prints it and as
// alloc-runner's own parser reads it; a test's diagnostics come directly before its result line.

const INDENT = '    ';

/** The whole run as one KTAP document. */
export function tapReport(kernels: KernelResult[]): string {
  const lines = ['KTAP version 1', `1..${kernels.length}`];
  kernels.forEach((kernel, index) => lines.push(...kernelLines(kernel, index + 1)));
  return `${lines.join('\n')}\n`;
}

function kernelLines(kernel: KernelResult, number: number): string[] {
  const tests = countedTests(kernel);
  const nested = [
    'KTAP version 1',
    `# Subtest: ${description(kernelId(kernel))}`,
    `1..${tests.length}`,
    ...tests.flatMap((test, index) => testLines(test, index + 1)),
  ].map((line) => INDENT + line);
  const notes: string[] = [];
  if (kernel.status !== 'pass') {
    // A kernel that failed beyond its tests has its reason on its own `(kernel)` test above.
    const reasonShown = tests.length > kernel.tests.length;
    notes.push(...diagnostics(reasonShown ? kernel.status : `${kernel.status}: ${kernel.reason ?? 'unknown reason'}`));
    if (kernel.panic) notes.push(...diagnostics(panicText(kernel.panic)));
    notes.push(...diagnostics(`artifacts: ${kernel.artifacts.dir}`));
  }
  if (kernel.cached) notes.push('# cached: passed before with this image and configuration; not booted');
  return [...nested, ...notes, resultLine(kernel.status === 'pass', number, kernelId(kernel), '')];
}

/** A test's lines, numbered by position: a kernel's own numbering may have gaps or repeats, a report may not. */
function testLines(test: TestResult, number: number): string[] {
  const lines: string[] = [];
  if (test.subtests.length > 0) {
    const nested = ['KTAP version 1', `1..${test.subtests.length}`, ...test.subtests.flatMap((subtest, index) => testLines(subtest, index + 1))];
    lines.push(...nested.map((line) => INDENT + line));
  }
  for (const line of test.diagnostics) lines.push(...diagnostics(line));
  if (test.status === 'fail' && test.panic) {
    lines.push(...diagnostics(panicText(test.panic)));
  } else if (test.status === 'fail' && test.reason) {
    lines.push(...diagnostics(test.reason));
  }
  const directive = {
    pass: '',
    fail: '',
    skip: ` # SKIP${test.reason ? ` ${oneLine(test.reason)}` : ''}`,
    xfail: ` # XFAIL${test.reason ? ` ${oneLine(test.reason)}` : ''}`,
  }[test.status];
  lines.push(resultLine(test.status === 'pass' || test.status === 'skip', number, test.name, directive));
  return lines;
}

function resultLine(ok: boolean, number: number, name: string, directive: string): string {
  return `${ok ? 'ok' : 'not ok'} ${number} ${description(name)}${directive}`;
}

/** A KTAP description is any text but `#` and line breaks. */
function description(name: string): string {
  return oneLine(name).replaceAll('#', '_');
}

function oneLine(text: string): string {
  return printable(text.replace(/\r?\n/g, ' '));
}

/**
 * Not Rust's `panicked at FILE:LINE:COL:`: a parser reading this report (alloc-runner's own
 * included) would take that for a panic of the run itself.
 */
function panicText(panic: PanicInfo): string {
  return `panic at ${panic.file}:${panic.line}:${panic.column}: ${panic.message}`;
}

function diagnostics(text: string): string[] {
  return text.split(/\r?\n/).map((line) => `# ${printable(line)}`.trimEnd());
}
