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
}

/** How a test ended: the part of a result its result line (and a panic) decide. */
export type Outcome = Pick<TestResult, 'status' | 'reason' | 'panic'>;

/** Milliseconds from `since` (the previous result, or the document's start; the guest's start if none) to now, if lines are timed. */
export function elapsed(context: ParseContext, since: number | undefined): number | undefined {
  const now = context.now();
  return now === undefined ? undefined : Math.max(0, Math.round(now - (since ?? 0)));
}

/** A result without `undefined`-valued keys, so reports compare and serialise cleanly. */
export function makeResult(
  number: number,
  name: string,
  outcome: Outcome,
  diagnostics: string[] = [],
  subtests: TestResult[] = [],
  durationMs?: number,
): TestResult {
  const result: TestResult = { number, name, status: outcome.status, diagnostics, subtests };
  if (durationMs !== undefined) result.durationMs = durationMs;
  const metrics = metricsOf(diagnostics);
  if (metrics) result.metrics = metrics;
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  if (outcome.panic !== undefined) result.panic = outcome.panic;
  return result;
}
