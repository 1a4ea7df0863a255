// What the format-specific parts of the serial parser share.
import type { TestResult } from '../model.js';
import { metricsOf } from './metrics.js';

/** Caps that keep the parser's memory bounded whatever the kernel prints. */
export interface ParseLimits {
  /** Test results kept in all (subtests included); later ones are counted, then dropped. */
  maxTests: number;
  /** Diagnostic lines, and output lines, kept per test. */
  maxDiagnostics: number;
  /** Message lines kept per panic. */
  maxPanicLines: number;
  /** Problems kept per report. */
  maxProblems: number;
  /** Deepest KTAP subtest nesting followed; deeper lines are reported and ignored. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = {
  maxTests: 10_000,
  maxDiagnostics: 100,
  maxPanicLines: 100,
  maxProblems: 100,
  maxDepth: 8,
};

export interface ParseContext {
  readonly limits: Readonly<ParseLimits>;
  /** Records a broken promise of the output; never throws. */
  problem(message: string): void;
  /** Whether one more test result may be stored (false once `maxTests` are). */
  admitTest(): boolean;
  /** How many of `count` more results may be stored; the rest are counted as dropped. */
  admitTests(count: number): number;
  /** When the line being parsed arrived, in ms since the guest started; undefined if lines come untimed. */
  now(): number | undefined;
  /** The number of the line being parsed in serial.log (from 1); before the first line 1, at the end one past the last. */
  line(): number;
}

/** How a test ended: the part of a result its result line (and a panic) decide. */
export type Outcome = Pick<TestResult, 'status' | 'reason' | 'panic'>;

/** Where the next test's span starts: its first line, and the time its duration counts from (undefined: the guest's start). */
export interface SpanStart {
  line: number;
  ms: number | undefined;
}

/** A span that starts with the line being parsed: a document's start. */
export function startHere(context: ParseContext): SpanStart {
  return { line: context.line(), ms: context.now() };
}

/** The next test's span, after a test's last line (by default the line being parsed, a result). */
export function startAfter(context: ParseContext, last = context.line()): SpanStart {
  return { line: last + 1, ms: context.now() };
}

/** A test's time and lines. */
export type Span = Pick<TestResult, 'durationMs' | 'serialLines'>;

/**
 * A test's span: from `start` to now, and to line `last` (by default the line being parsed, its
 * result line; the one before it for a level that ends there without one).
 */
export function spanTo(context: ParseContext, start: SpanStart, last = context.line()): Span {
  const now = context.now();
  const span = linesTo(start, last);
  if (now !== undefined) span.durationMs = Math.max(0, Math.round(now - (start.ms ?? 0)));
  return span;
}

/** The lines from `start` to `last`, if there are any: a test not run has no time, only what was printed. */
export function linesTo(start: SpanStart, last: number): Span {
  return last >= start.line ? { serialLines: { first: start.line, last } } : {};
}

/** A result without `undefined`-valued keys, so reports compare and serialise cleanly. */
export function makeResult(
  number: number,
  name: string,
  outcome: Outcome,
  diagnostics: string[] = [],
  subtests: TestResult[] = [],
  span: Span = {},
): TestResult {
  const result: TestResult = { number, name, status: outcome.status, diagnostics, subtests };
  if (span.durationMs !== undefined) result.durationMs = span.durationMs;
  if (span.serialLines !== undefined) result.serialLines = span.serialLines;
  const metrics = metricsOf(diagnostics);
  if (metrics) result.metrics = metrics;
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  if (outcome.panic !== undefined) result.panic = outcome.panic;
  return result;
}
