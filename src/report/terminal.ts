import type { ChalkInstance } from 'chalk';
import type { KernelResult, TestResult } from '../model.js';
import { screenAnsi } from '../capture/vga.js';
import { describePanic } from '../verdict/judge.js';
import type { Totals } from '../verdict/outcome.js';

/** The closing line every run ends with: `N passed, N failed` (and skipped where any). */
export function closingLine({ passed, failed, skipped }: Totals): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** The terminal report: a line per kernel and per test, and for each failure all there is to know. */
export function renderReport(kernels: KernelResult[], color: ChalkInstance, options: { verbose: boolean }): string {
  const out: string[] = [];
  for (const kernel of kernels) {
    const failed = kernel.status !== 'pass';
    const label = failed ? color.red.bold(kernel.status.toUpperCase().padEnd(5)) : color.green.bold('PASS ');
    // The id past its package: `blog_os blog_os[lib]`.
    const target = kernel.package && kernel.id.startsWith(`${kernel.package}/`) ? kernel.id.slice(kernel.package.length + 1) : kernel.id;
    const where = kernel.package ? `${kernel.package} ${color.bold(target)}` : color.bold(target);
    const facts = [`${kernel.tests.length} tests`, ...(kernel.cached ? ['cached: passed before, not booted'] : [`${(kernel.durationMs / 1000).toFixed(2)} s`, kernel.accelerator])].filter(Boolean);
    const decidedBy = kernel.decidedBy && !failed ? `: ${kernel.decidedBy}` : '';
    out.push(`${label} ${where} ${color.dim(`(${facts.join(', ')})`)}${decidedBy}`);
    for (const test of kernel.tests) out.push(...renderTest(test, color, options.verbose || failed, '  '));
    for (const problem of kernel.artifacts.incomplete ?? []) out.push(`  ${color.yellow('artifact incomplete:')} ${problem}`);
    if (!failed) continue;
    out.push(`  ${color.red('reason:')} ${kernel.reason ?? 'unknown'}`);
    if (kernel.panic) out.push(`  ${color.red('panic:')} ${describePanic(kernel.panic)}`);
    if (kernel.lastSerialLines.length > 0) {
      out.push(`  last serial lines:`);
      for (const line of kernel.lastSerialLines) out.push(color.dim(`    | ${clip(line)}`));
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

function renderTest(test: TestResult, color: ChalkInstance, withDiagnostics: boolean, indent: string): string[] {
  const mark = {
    pass: color.green('✓'),
    xfail: color.yellow('✓'),
    skip: color.yellow('-'),
    fail: color.red('✗'),
  }[test.status];
  const note = {
    pass: '',
    xfail: color.yellow(` (expected failure${test.reason ? `: ${test.reason}` : ''})`),
    skip: color.yellow(` (skipped${test.reason ? `: ${test.reason}` : ''})`),
    fail: test.reason ? color.red(` — ${test.reason}`) : '',
  }[test.status];
  const lines = [`${indent}${mark} ${test.number} ${test.name}${test.panic && test.status === 'fail' ? '' : note}`];
  if (test.panic && test.status === 'fail') {
    const { file, line, column, message } = test.panic;
    lines.push(color.red(`${indent}    panicked at ${file}:${line}:${column}:`));
    for (const text of message.split('\n')) lines.push(color.red(`${indent}    ${text}`));
  }
  if (withDiagnostics) for (const line of test.diagnostics) lines.push(color.dim(`${indent}    # ${clip(line)}`));
  for (const subtest of test.subtests) lines.push(...renderTest(subtest, color, withDiagnostics, `${indent}  `));
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
