import type { ChalkInstance } from 'chalk';
import type { KernelResult, TestResult } from '../model.js';
import { screenAnsi } from '../capture/vga.js';
import type { Totals } from '../verdict/outcome.js';
import { panicSummary, panicText } from '../parse/panic-text.js';
import { counted, printable } from './text.js';

/** The closing line every run ends with: `N passed, N failed` (and skipped, not run where any). */
export function closingLine({ passed, failed, skipped, notRun }: Totals): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}${notRun > 0 ? `, ${notRun} not run` : ''}`;
}

/** The terminal report: a line per kernel and per test, and for each failure all there is to know. */
export function renderReport(kernels: KernelResult[], color: ChalkInstance, options: { verbose: boolean; slowTestMs?: number }): string {
  const out: string[] = [];
  for (const kernel of kernels) {
    const failed = kernel.status !== 'pass';
    const label = failed ? color.red.bold(kernel.status.toUpperCase().padEnd(5)) : color.green.bold('PASS ');
    // The id past its package: `blog_os blog_os[lib]`.
    const target = kernel.package && kernel.id.startsWith(`${kernel.package}/`) ? kernel.id.slice(kernel.package.length + 1) : kernel.id;
    const where = kernel.package ? `${kernel.package} ${color.bold(target)}` : color.bold(target);
    const facts = [counted(kernel.tests.length, 'test'), ...(kernel.cached ? ['cached: passed before, not booted'] : [`${(kernel.durationMs / 1000).toFixed(2)} s`, kernel.accelerator])].filter(Boolean);
    const decidedBy = kernel.decidedBy && !failed ? `: ${kernel.decidedBy}` : '';
    out.push(`${label} ${where} ${color.dim(`(${facts.join(', ')})`)}${decidedBy}`);
    // Kernel text is shown through printable(): a `\r` or an escape sequence is seen, never obeyed.
    const show = { diagnostics: options.verbose || failed, verbose: options.verbose, slowTestMs: options.slowTestMs ?? 0 };
    for (const test of kernel.tests) out.push(...renderTest(test, color, show, '  '));
    for (const problem of kernel.artifacts.incomplete ?? []) out.push(`  ${color.yellow('artifact incomplete:')} ${problem}`);
    if (!failed) continue;
    out.push(`  ${color.red('reason:')} ${printable(kernel.reason ?? 'unknown')}`);
    if (kernel.panic) out.push(`  ${color.red('panic:')} ${printable(panicSummary(kernel.panic))}`);
    if (kernel.lastSerialLines.length > 0) {
      out.push(`  last serial lines:`);
      for (const line of kernel.lastSerialLines) out.push(color.dim(`    | ${printable(clip(line))}`));
    }
    const screen = drawnScreen(kernel, color);
    if (screen !== undefined) {
      out.push('  VGA screen:');
      for (const line of (screen || '(blank)').split('\n')) out.push(`    | ${line}`);
    } else {
      out.push(`  VGA screen: none (${kernel.noScreenReason ?? 'not read'})`);
    }
    out.push(`  artifacts: ${kernel.artifacts.dir}`);
  }
  return out.join('\n');
}

interface Shown {
  /** A test's diagnostics: with --verbose and for a failed kernel. */
  diagnostics: boolean;
  /** Its own output, always shown for a failed test. */
  verbose: boolean;
  /** A test that took longer is shown with its time; 0: none is. */
  slowTestMs: number;
}

function renderTest(test: TestResult, color: ChalkInstance, show: Shown, indent: string): string[] {
  const mark = {
    pass: color.green('✓'),
    xfail: color.yellow('✓'),
    skip: color.yellow('-'),
    fail: color.red('✗'),
    notrun: color.red('?'),
  }[test.status];
  const reason = test.reason === undefined ? '' : printable(test.reason);
  const note = {
    pass: '',
    xfail: color.yellow(` (expected failure${reason ? `: ${reason}` : ''})`),
    skip: color.yellow(` (skipped${reason ? `: ${reason}` : ''})`),
    fail: reason ? color.red(` — ${reason}`) : '',
    notrun: color.red(` (not run: ${reason || 'never reported'})`),
  }[test.status];
  const failedPanic = test.panic && test.status === 'fail';
  const slow = show.slowTestMs > 0 && (test.durationMs ?? 0) > show.slowTestMs ? color.yellow(` ${test.durationMs} ms, slow`) : '';
  const lines = [`${indent}${mark} ${test.number} ${printable(test.name)}${slow}${failedPanic ? '' : note}`];
  if (failedPanic) for (const text of panicText(test.panic!).split('\n')) lines.push(color.red(`${indent}    ${printable(text)}`));
  if (show.diagnostics) for (const line of test.diagnostics) lines.push(color.dim(`${indent}    # ${printable(clip(line))}`));
  if (show.verbose || test.status === 'fail' || test.status === 'notrun') {
    for (const line of test.output ?? []) lines.push(color.dim(`${indent}    > ${printable(clip(line))}`));
  }
  for (const subtest of test.subtests) lines.push(...renderTest(subtest, color, show, `${indent}  `));
  return lines;
}

const MAX_SHOWN_LINE = 200;

/** Very long lines (a flooding kernel's) are cut for the terminal; the serial log keeps them whole. */
function clip(line: string): string {
  return line.length > MAX_SHOWN_LINE ? `${line.slice(0, MAX_SHOWN_LINE)}… (${line.length - MAX_SHOWN_LINE} more characters)` : line;
}

/** The VGA screen as text, in its own colours when the terminal has colours. */
export function drawnScreen(kernel: KernelResult, color: ChalkInstance): string | undefined {
  return color.level > 0 && kernel.screen ? screenAnsi(kernel.screen) : kernel.screenText;
}
