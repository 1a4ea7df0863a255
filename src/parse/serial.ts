// Turns a kernel's serial lines into a SerialReport. It knows nothing of QEMU: feed it lines
// (from LineSplitter) as they come, then call finish().
import type { PanicInfo, SerialReport, TestResult } from '../model.js';
import { BlogOsRun, blogOsOutcome, parseBlogOsLine, type BlogOsLine } from './blog-os.js';
import { BoundedList } from './bounded.js';
import { DEFAULT_LIMITS, type Outcome, type ParseContext, type ParseLimits } from './context.js';
import { KtapTree, type Located } from './ktap-tree.js';
import { ktapOutcome, type KtapLine } from './ktap.js';
import { PanicCollector } from './panic.js';
import { panicSummary } from './panic-text.js';
import { LinePrefix } from './prefix.js';
import { HANDSHAKE_ANSWERED_LINE, HANDSHAKE_LINE } from '../protocol.js';

export type SerialParserOptions = Partial<ParseLimits>;

/**
 * Auto-detects KTAP / TAP or blog_os output from the first line that is structured in one of
 * them, and recognises Rust panics in any output. Never throws on any line; what is wrong
 * with the output goes to `problems`. Memory stays bounded however many lines it is fed
 * (see ParseLimits; line length is LineSplitter's to bound).
 */
export class SerialParser {
  readonly #limits: Readonly<ParseLimits>;
  readonly #problems: BoundedList;
  readonly #ktap: KtapTree;
  readonly #blogOs: BlogOsRun;
  readonly #prefix = new LinePrefix();
  #format: SerialReport['format'] = 'none';
  #lineNumber = 0;
  #lineAtMs: number | undefined;
  #atEnd = false;
  #storedTests = 0;
  #droppedTests = 0;
  #mixedFormatReported = false;
  /** Whether the line being parsed belongs to a panic message. */
  #lineIsPanic = false;
  /** The panic whose message lines are still arriving. */
  #collector: PanicCollector | undefined;
  /** A finished panic waiting for the KTAP result line it precedes. */
  #pendingPanic: PanicInfo | undefined;
  /** A blog_os `[failed]` test: its panic is printed after it. */
  #awaitingPanic: TestResult | undefined;
  /** Depth of the last result a panic ended; later results at or below it come after a panic. */
  #panicDepth: number | undefined;
  #kernelPanic: PanicInfo | undefined;
  #failedSoFar = false;
  #report: SerialReport | undefined;

  /**
   * @param options caps on what is kept (defaults in DEFAULT_LIMITS).
   * @throws RangeError if a cap is not a non-negative integer.
   */
  constructor(options: SerialParserOptions = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...options };
    for (const [name, value] of Object.entries(this.#limits)) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
      }
    }
    this.#problems = new BoundedList(this.#limits.maxProblems, 'problems');
    const context: ParseContext = {
      limits: this.#limits,
      problem: (message) => this.#problem(message),
      admitTest: () => this.#admitTests(1) === 1,
      admitTests: (count) => this.#admitTests(count),
      now: () => this.#lineAtMs,
      // serial.log's numbering: every line pushed counts, the handshake's too.
      line: () => Math.max(1, this.#atEnd ? this.#lineNumber + 1 : this.#lineNumber),
    };
    this.#ktap = new KtapTree(context);
    this.#blogOs = new BlogOsRun(context);
  }

  /**
   * Feeds one line (without its line ending), with when it arrived (ms since the guest
   * started) if known: tests then get durations. Lines after finish() are ignored.
   */
  push(line: string, atMs?: number): void {
    if (this.#report) return;
    this.#lineNumber += 1;
    this.#lineAtMs = atMs;
    const whole = withoutInvisibleEdges(line);
    let text = this.#withoutPrefix(whole);
    if (text.trim() === HANDSHAKE_LINE || text.trim() === HANDSHAKE_ANSWERED_LINE) return;
    let ktap = this.#ktap.locate(text);
    const overwritten = ktap.line.kind === 'result' ? undefined : (this.#notOkAfterCarriageReturn(text) ?? this.#notOkBehindAnotherPrefix(whole, text));
    if (overwritten !== undefined) {
      text = overwritten;
      ktap = this.#ktap.locate(text);
    }
    const blogOs = parseBlogOsLine(text.replace(INVISIBLE, ''));
    const panic = PanicCollector.start(text.trimStart(), this.#limits.maxPanicLines);
    const structured = isKtapStructure(ktap.line);
    const addedToPanic = this.#continuePanic(text, panic !== undefined || structured || blogOs !== undefined);
    // A panic's lines are kept as the panic, not again as diagnostics or output.
    this.#lineIsPanic = addedToPanic || panic !== undefined;
    if (panic) {
      this.#failedSoFar = true;
      this.#collector = panic;
      if (panic.complete) this.#endPanic();
    }
    if (this.#format === 'none') {
      if (structured) this.#format = 'ktap';
      else if (blogOs) this.#format = 'blog_os';
    }
    if (this.#format === 'ktap') {
      if (blogOs && blogOs.kind !== 'started') this.#mixedFormat('blog_os');
      this.#onKtapLine(ktap);
    } else if (this.#format === 'blog_os') {
      if (structured) this.#mixedFormat('KTAP');
      if (blogOs) this.#onBlogOsLine(blogOs);
    }
  }

  /**
   * `copying 50%\rnot ok 2 copy`: a progress line overwritten by a result, which a terminal
   * shows as the result. The first part after a bare `\r` that begins with `not ok`, if any.
   */
  #notOkAfterCarriageReturn(text: string): string | undefined {
    if (!text.includes('\r')) return undefined;
    const parts = text.split('\r').slice(1).map((part) => this.#prefix.strip(withoutInvisibleEdges(part)));
    return parts.find((part) => this.#isNotOk(part));
  }

  /**
   * `[ERROR] not ok 2 b` after `[INFO ] KTAP version 1`: a line no known prefix fits, whose
   * `not ok` kunit reads after cutting as many characters as the prefix has. Only a `not ok`
   * is taken that way: a doubt must fail, never pass.
   */
  #notOkBehindAnotherPrefix(whole: string, text: string): string | undefined {
    if (text !== whole) return undefined;
    return this.#prefix
      .cuts(whole)
      .map(withoutInvisibleEdges)
      .find((cut) => this.#isNotOk(cut));
  }

  #isNotOk(text: string): boolean {
    return this.#ktap.locate(text).line.kind === 'result' && text.trimStart().startsWith('not ok');
  }

  /** The line without the log prefix that came before the first version line (kunit's rule). */
  #withoutPrefix(line: string): string {
    if (this.#prefix.found) {
      const stripped = this.#prefix.strip(line);
      return this.#prefix.detectAnother(stripped, line) ?? stripped;
    }
    return (this.#format !== 'blog_os' && this.#prefix.detect(line)) || line;
  }

  /**
   * Whether the lines so far show a failure: a failed test, or a panic (expected failures
   * too, before the configuration relabels them). The screen handshake asks it, to keep
   * vga.png only of a kernel that may fail.
   */
  get failedSoFar(): boolean {
    return this.#failedSoFar;
  }

  /** Ends the output and returns the report; later calls return the same report. */
  finish(): SerialReport {
    if (this.#report) return this.#report;
    this.#atEnd = true;
    this.#continuePanic('', true);
    this.#orphanPendingPanic();
    const { tests, planned, inFlight }: { tests: TestResult[]; planned: number | undefined; inFlight?: string } =
      this.#format === 'ktap' ? this.#ktap.finish()
      : this.#format === 'blog_os' ? this.#blogOs.finish()
      : { tests: [], planned: undefined };
    if (this.#droppedTests > 0) {
      this.#problem(`${this.#droppedTests} more test results dropped (limit ${this.#limits.maxTests})`);
    }
    const report: SerialReport = { format: this.#format, tests, problems: this.#problems.toArray() };
    if (planned !== undefined) report.plannedTests = planned;
    if (inFlight !== undefined) report.inFlight = inFlight;
    if (this.#kernelPanic) report.panic = this.#kernelPanic;
    this.#report = report;
    return report;
  }

  #onKtapLine(at: Located): void {
    const { line, depth } = at;
    if (line.kind === 'blank') return;
    if (depth > this.#limits.maxDepth) {
      this.#problem(`nesting deeper than ${this.#limits.maxDepth} levels ignored`);
      return;
    }
    switch (line.kind) {
      case 'version':
        if (!line.supported) this.#problem(`unsupported version line "${line.text}"`);
        if (depth === 0) this.#newRun();
        this.#ktap.version(at, line.dialect);
        return;
      case 'plan':
        this.#ktap.plan(at, line.count);
        return;
      case 'subtest':
        this.#ktap.subtestName(depth, line.name);
        return;
      case 'diagnostic':
        if (this.#lineIsPanic) return;
        // kselftest's nesting without its `# TAP version 13` line: a failure, not a remark.
        if (DIAGNOSTIC_NOT_OK.test(line.text)) {
          this.#failedSoFar = true;
          this.#problem(`a diagnostic line reports a failure: "#${clipped(line.text)}"`);
        }
        this.#ktap.diagnostic(depth, line.text);
        return;
      case 'bailout':
        this.#failedSoFar = true;
        this.#problem(`the kernel bailed out: "Bail out!${clipped(line.reason)}"`);
        return;
      case 'other':
        if (!this.#lineIsPanic) this.#ktap.output(line.text);
        return;
      case 'result': {
        const label = line.name || `test ${line.number ?? ''}`.trim();
        if (line.malformed) this.#problem(`a malformed result line "not ok${clipped(line.name)}" counted as a failure`);
        this.#checkAfterPanic(depth, label);
        const panic = this.#pendingPanic;
        this.#pendingPanic = undefined;
        const outcome = withPanic(ktapOutcome(line.ok, line.directive, this.#ktap.dialectAt(depth)), panic);
        if (outcome.status === 'fail') this.#failedSoFar = true;
        this.#ktap.result(at, line.number, line.name, outcome);
        if (panic) this.#panicDepth = depth;
      }
    }
  }

  #onBlogOsLine(line: BlogOsLine): void {
    this.#awaitingPanic = undefined;
    if (line.kind === 'running') {
      this.#newRun();
      this.#blogOs.running(line.count);
      return;
    }
    if (line.kind === 'started') {
      this.#blogOs.started(line.name);
      return;
    }
    this.#orphanPendingPanic(); // a panic printed before a test line belongs to no test
    this.#checkAfterPanic(0, line.name);
    const outcome = blogOsOutcome(line.verdict);
    if (outcome.status === 'fail') this.#failedSoFar = true;
    const test = this.#blogOs.test(line.name, outcome);
    if (test && line.verdict === 'failed') this.#awaitingPanic = test;
  }

  /** Ends the panic message being collected if `ends`, else adds `text` to it (and says so). */
  #continuePanic(text: string, ends: boolean): boolean {
    const collector = this.#collector;
    if (!collector) return false;
    if (!ends && (text.trim() !== '' || collector.awaitingLocation)) {
      collector.addLine(text);
      if (collector.complete) this.#endPanic();
      return true;
    }
    this.#endPanic();
    return false;
  }

  #endPanic(): void {
    const panic = this.#collector?.finish();
    this.#collector = undefined;
    if (panic) this.#placePanic(panic);
  }

  #placePanic(panic: PanicInfo): void {
    const test = this.#awaitingPanic;
    if (test) {
      test.panic = panic;
      test.reason = panicSummary(panic);
      this.#awaitingPanic = undefined;
      this.#panicDepth = 0;
      return;
    }
    this.#orphanPendingPanic();
    this.#pendingPanic = panic;
  }

  /** A panic no result line claimed: the kernel's own. */
  #orphanPendingPanic(): void {
    const panic = this.#pendingPanic;
    if (!panic) return;
    this.#pendingPanic = undefined;
    this.#panicDepth = 0;
    if (this.#kernelPanic) this.#problem(`another panic outside any test: ${panicSummary(panic)}`);
    else this.#kernelPanic = panic;
  }

  /** A new kernel run (top-level KTAP header, `Running N tests`): earlier panics are over. */
  #newRun(): void {
    this.#orphanPendingPanic();
    this.#panicDepth = undefined;
  }

  #checkAfterPanic(depth: number, label: string): void {
    if (this.#panicDepth === undefined) return;
    if (depth < this.#panicDepth) this.#panicDepth = depth; // the panicked test's parent
    else this.#problem(`result for ${label} after the kernel panicked`);
  }

  #mixedFormat(other: string): void {
    if (this.#mixedFormatReported) return;
    this.#mixedFormatReported = true;
    this.#problem(`${other} lines in ${this.#format} output ignored`);
  }

  #problem(message: string): void {
    const where = this.#atEnd ? 'at end of output' : `line ${this.#lineNumber}`;
    this.#problems.push(`${where}: ${message}`);
  }

  #admitTests(count: number): number {
    const admitted = Math.max(0, Math.min(count, this.#limits.maxTests - this.#storedTests));
    this.#storedTests += admitted;
    this.#droppedTests += count - admitted;
    return admitted;
  }
}

// What a terminal shows as nothing: escape sequences (colours, cursor moves) and NUL.
const INVISIBLE_PATTERN = String.raw`\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\0`;
const INVISIBLE = new RegExp(INVISIBLE_PATTERN, 'g');
const LEADING = new RegExp(`^(?:[ \\t]|${INVISIBLE_PATTERN})+`);
const TRAILING = new RegExp(`(?:${INVISIBLE_PATTERN})$`);

/**
 * The line without escape sequences and NULs before its first and after its last visible
 * character, and without trailing blanks, so that `\x1b[31mnot ok 2 b\x1b[0m` is the
 * failure it shows. Those inside the line are kept, to be shown.
 */
function withoutInvisibleEdges(line: string): string {
  let text = line.trimEnd();
  for (let end = TRAILING.exec(text); end; end = TRAILING.exec(text)) text = text.slice(0, end.index).trimEnd();
  return text.replace(LEADING, (edge) => edge.replace(INVISIBLE, ''));
}

// `# not ok 2 b`: a nested result whose block never said `# TAP version 13`.
const DIAGNOSTIC_NOT_OK = /^[ \t]*not ok[ \t]+\d/;

function isKtapStructure(line: KtapLine): boolean {
  return line.kind === 'version' || line.kind === 'plan' || line.kind === 'result' || line.kind === 'bailout';
}

/** A panic before a result line: a failed test's reason is the panic. */
function withPanic(outcome: Outcome, panic: PanicInfo | undefined): Outcome {
  if (!panic) return outcome;
  const reason = outcome.status === 'fail' ? panicSummary(panic) : outcome.reason;
  return reason === undefined ? { ...outcome, panic } : { ...outcome, panic, reason };
}

function clipped(text: string): string {
  const line = text ? ` ${text}` : '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
