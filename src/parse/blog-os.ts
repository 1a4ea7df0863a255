// The test output of blog_os ("Writing an OS in Rust"): `Running N tests`, then one
// `name...\t[ok]` or `name...\t[failed]` line per test. The name is printed when the test
// starts and the verdict when it ends, so a line that stops after `name...` is a test that
// was running when the output ended.
import type { TestResult } from '../model.js';
import { linesTo, makeResult, spanTo, startAfter, startHere, type Outcome, type ParseContext, type Span, type SpanStart } from './context.js';

type Verdict = 'ok' | 'failed' | 'test did not panic';

export type BlogOsLine =
  | { kind: 'running'; count: number }
  | { kind: 'test'; name: string; verdict: Verdict }
  | { kind: 'started'; name: string };

const RUNNING = /^Running (\d{1,9}) tests?$/;
// The tab may have become spaces on the way; `[test did not panic]` is should_panic's failure.
const TEST = /^(.+?)\.\.\.\s*\[(ok|failed|test did not panic)\]$/;
// Only a Rust path (`basic_boot::wait_forever`, as `type_name` prints it): prose ending in `...` is no test.
const STARTED = /^(\S+::\S+)\.\.\.$/;

/** Classifies a line; undefined if it is not a blog_os test line. */
export function parseBlogOsLine(line: string): BlogOsLine | undefined {
  const text = line.trim();
  if (text.startsWith('#')) return undefined; // a KTAP diagnostic, whatever it says
  const running = RUNNING.exec(text);
  if (running) return { kind: 'running', count: Number(running[1]) };
  const test = TEST.exec(text);
  if (test) return { kind: 'test', name: test[1]?.trim() ?? '', verdict: test[2] as Verdict };
  const started = STARTED.exec(text);
  return started ? { kind: 'started', name: started[1]! } : undefined;
}

/** What the verdict in brackets says; a `[failed]` test's reason comes with its panic. */
export function blogOsOutcome(verdict: Verdict): Outcome {
  if (verdict === 'ok') return { status: 'pass' };
  if (verdict === 'failed') return { status: 'fail' };
  return { status: 'fail', reason: verdict };
}

const IN_FLIGHT = 'it was running when the kernel stopped: its name was printed, never its verdict';
const NEVER_STARTED = 'announced by `Running N tests`, but the kernel stopped before it began (blog_os stops at the first failure)';

/** The tests of one or more blog_os runs, numbered in order of appearance. */
export class BlogOsRun {
  readonly #context: ParseContext;
  readonly #tests: TestResult[] = [];
  #count = 0;
  #planned: number | undefined;
  /** `Running N tests`, or the line after the previous test line: the next test's time and lines start there. */
  #start: SpanStart;
  /** The latest `Running N tests` and how many results followed it. */
  #group: { announced: number; reported: number } | undefined;
  /** The test that started and has no result yet. */
  #inFlight: string | undefined;

  constructor(context: ParseContext) {
    this.#context = context;
    this.#start = startHere(context);
  }

  /** `Running N tests`: a kernel starts; several (a cargo test log) add up. */
  running(count: number): void {
    this.#endGroup();
    this.#group = { announced: count, reported: 0 };
    this.#planned = (this.#planned ?? 0) + count;
    this.#start = startHere(this.#context);
  }

  /** `name...` without a verdict (yet): the test is running. */
  started(name: string): void {
    this.#inFlight = name;
  }

  /** Records a test line; returns the stored result, or undefined past the test limit. */
  test(name: string, outcome: Outcome): TestResult | undefined {
    this.#inFlight = undefined;
    this.#count += 1;
    if (this.#group) this.#group.reported += 1;
    const span = spanTo(this.#context, this.#start);
    this.#start = startAfter(this.#context);
    if (!this.#context.admitTest()) return undefined;
    const result = makeResult(this.#count, name || `test ${this.#count}`, outcome, [], [], span);
    this.#tests.push(result);
    return result;
  }

  /** The tests, the tests announced, and the test still running when the output ended. */
  finish(): { tests: TestResult[]; planned: number | undefined; inFlight?: string } {
    const inFlight = this.#inFlight;
    this.#endGroup();
    return { tests: this.#tests, planned: this.#planned, ...(inFlight === undefined ? {} : { inFlight }) };
  }

  /**
   * The kernel run ends (output over, or the next `Running N tests` of a cargo log): the test
   * in flight and the announced tests never started are not run. blog_os does not print
   * the names of those it did not reach, so they are `test N`. More results than announced
   * are not checked: in a cargo log, executables without a `Running` line (should_panic)
   * follow other runs.
   */
  #endGroup(): void {
    const inFlight = this.#inFlight;
    const group = this.#group;
    this.#inFlight = undefined;
    this.#group = undefined;
    // The test in flight printed what came after the last result, up to where its run ended.
    if (inFlight !== undefined) this.#notRun(inFlight, IN_FLIGHT, linesTo(this.#start, this.#context.line() - 1));
    if (!group || group.reported >= group.announced) return;
    this.#context.problem(`${group.announced} tests announced but ${group.reported} reported`);
    let admitted = this.#context.admitTests(group.announced - group.reported - (inFlight === undefined ? 0 : 1));
    for (; admitted > 0; admitted--) this.#notRun(undefined, NEVER_STARTED);
  }

  #notRun(name: string | undefined, reason: string, span: Span = {}): void {
    this.#count += 1;
    this.#tests.push(makeResult(this.#count, name ?? `test ${this.#count}`, { status: 'notrun', reason }, [], [], span));
  }
}
