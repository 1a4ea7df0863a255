import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { KernelResult, PanicInfo, TestResult } from '../model.js';
import { countedTests, failedBeyondTests } from '../verdict/judge.js';
import { panicSummary, panicText } from '../parse/panic-text.js';
import type { Outcome } from '../verdict/outcome.js';
import { closingLine } from './terminal.js';
import { printable } from './text.js';

// GitHub Actions: workflow commands (`::error ...::`) that GitHub turns into annotations on
// the files and lines where kernels panicked, and a Markdown job summary
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).

/** GitHub shows at most this many annotations of a kind (error, warning, notice) per step. */
export const ANNOTATIONS_SHOWN = 10;

/**
 * One `::error` line per failed test, per test not run, and per kernel that failed beyond its tests; past
 * ANNOTATIONS_SHOWN, those pointing at a file first (in report order), then one notice
 * saying how many more there are.
 */
export function githubAnnotations(kernels: KernelResult[], repoRoot: string, exists: (path: string) => boolean = existsSync): string {
  const errors: Array<{ line: string; located: boolean }> = [];
  const add = (title: string, message: string, panic: PanicInfo | undefined, kernel: KernelResult) => {
    const where = panic && location(panic, kernel, repoRoot, exists);
    errors.push({ line: annotation('error', title, message, where), located: where !== undefined });
  };
  for (const kernel of kernels) {
    const id = kernel.id;
    for (const test of failedTests(kernel.tests)) {
      const message = test.panic ? panicText(test.panic) : (test.reason ?? `failed; kernel ${kernel.status}: ${kernel.reason ?? ''}`);
      add(`${id}: ${test.name} failed`, message, test.panic, kernel);
    }
    for (const test of allTests(kernel.tests).filter((found) => found.status === 'notrun')) {
      add(`${id}: ${test.name} not run`, `${test.reason ?? 'never reported'}; kernel ${kernel.status}: ${kernel.reason ?? ''}`, undefined, kernel);
    }
    if (failedBeyondTests(kernel) || (kernel.panic && kernel.status !== 'pass')) {
      const message = [`${kernel.reason ?? 'unknown reason'}`, kernel.panic && panicText(kernel.panic), `artifacts: ${kernel.artifacts.dir}`].filter(Boolean).join('\n');
      add(`${id}: kernel ${kernel.status}`, message, kernel.panic, kernel);
    }
  }
  const shown = new Set([...errors.filter((error) => error.located), ...errors.filter((error) => !error.located)].slice(0, ANNOTATIONS_SHOWN));
  const lines = errors.filter((error) => shown.has(error)).map((error) => error.line);
  const more = errors.length - shown.size;
  if (more > 0) {
    const what = `${more} more failure${more === 1 ? ' is' : 's are'} not annotated (GitHub shows ${ANNOTATIONS_SHOWN} per step); the job summary and the report list every one`;
    lines.push(annotation('notice', 'alloc-runner', what, undefined));
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** The job summary: a results table, then each failing kernel with its reason, tests, serial tail and VGA screen. */
export function githubSummary({ kernels, totals }: Outcome): string {
  const out = [`## alloc-runner: ${closingLine(totals)}`, ''];
  out.push('| | Kernel | Tests | Passed | Failed | Not run | Skipped | Time | Result |', '|---|---|--:|--:|--:|--:|--:|--:|---|');
  for (const kernel of kernels) {
    const tests = countedTests(kernel);
    const count = (...statuses: TestResult['status'][]) => tests.filter((test) => statuses.includes(test.status)).length;
    const time = kernel.cached ? 'cached' : `${(kernel.durationMs / 1000).toFixed(2)} s`;
    const result = kernel.status === 'pass' ? 'pass' : `${kernel.status}: ${kernel.reason ?? 'unknown reason'}`;
    out.push(
      `| ${kernel.status === 'pass' ? '✅' : '❌'} | ${cell(kernel.id)} | ${tests.length} | ${count('pass', 'xfail')} | ${count('fail')} | ${count('notrun')} | ${count('skip')} | ${time} | ${cell(result)} |`,
    );
  }
  for (const kernel of kernels.filter((kernel) => kernel.status !== 'pass')) {
    out.push('', `### ❌ ${cell(kernel.id)}: ${kernel.status}`, '', fenced(kernel.reason ?? 'unknown reason'));
    const failed = allTests(kernel.tests).filter((test) => test.status === 'fail' || test.status === 'notrun');
    if (failed.length > 0) {
      out.push('', 'Failed and not run tests:', '');
      for (const test of failed) {
        const why = test.panic ? panicSummary(test.panic) : test.status === 'notrun' ? `not run: ${test.reason ?? ''}` : test.reason;
        out.push(`- ${cell(`${test.number} ${test.name}`)}${why ? `: ${cell(why)}` : ''}`);
        if (test.output?.length) out.push('', `  <details><summary>Output of ${cell(test.name)}</summary>`, '', fenced(test.output.join('\n')), '', '  </details>', '');
      }
    }
    if (kernel.lastSerialLines.length > 0) out.push('', '<details><summary>Last serial lines</summary>', '', fenced(kernel.lastSerialLines.join('\n')), '', '</details>');
    out.push('', kernel.screenText !== undefined ? `VGA screen:\n\n${fenced(kernel.screenText || '(blank)')}` : `VGA screen: none (${cell(kernel.noScreenReason ?? 'not read')})`);
    out.push('', `Artifacts: \`${cell(kernel.artifacts.dir)}\``);
  }
  return `${out.join('\n')}\n`;
}

function failedTests(tests: TestResult[]): TestResult[] {
  return allTests(tests).filter((test) => test.status === 'fail');
}

function allTests(tests: TestResult[]): TestResult[] {
  return tests.flatMap((test) => [test, ...allTests(test.subtests)]);
}

interface Location {
  file: string;
  line: number;
  col: number;
}

/**
 * The panic's file as a path from the repository root, which is what GitHub wants. Rust
 * prints paths relative to the Cargo workspace root (the kernel's sourceRoot); files
 * outside the repository (the standard library, registry crates), or that are not there
 * (a kernel that printed a path relative to something else), get no location.
 */
export function location(panic: PanicInfo, kernel: Pick<KernelResult, 'sourceRoot'>, repoRoot: string, exists: (path: string) => boolean = existsSync): Location | undefined {
  const absolute = isAbsolute(panic.file) ? panic.file : resolve(kernel.sourceRoot ?? repoRoot, panic.file);
  const path = relative(repoRoot, absolute);
  if (path === '' || path.startsWith('..') || isAbsolute(path) || !exists(join(repoRoot, path))) return undefined;
  return { file: path.split('\\').join('/'), line: panic.line, col: panic.column };
}

function annotation(kind: 'error' | 'notice', title: string, message: string, where: Location | undefined): string {
  const properties = [...(where ? [`file=${property(where.file)}`, `line=${where.line}`, `col=${where.col}`] : []), `title=${property(title)}`];
  return `::${kind} ${properties.join(',')}::${data(message)}`;
}

// The escapes of GitHub's workflow command parser (toolkit's command.ts); printable() has
// already made a carriage return visible, so only line feeds are left to escape.
const data = (text: string) => printable(text).replace(/%/g, '%25').replace(/\n/g, '%0A');
const property = (text: string) => data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Text for one table cell or list item: one line, no table breaks. */
function cell(text: string): string {
  return printable(text.split('\n')[0]!).replace(/\|/g, '\\|');
}

/** A code block whose fence is longer than any run of backticks inside it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${printable(text)}\n${fence}`;
}
