// KTAP nesting. A subtest document is indented relative to the document around it (the
// spec's two spaces per level; KUnit's four and tabs are deeper indentation too), or, as
// kselftest nests a test's TAP output, each of its lines starts with `# `. A nested document
// holds the subtests of the next result line one level out; each open level waits here for
// that line. A parent's status is computed from its subtests: never better than theirs.
import type { TestResult } from '../model.js';
import { BoundedList } from './bounded.js';
import { linesTo, makeResult, spanTo, startAfter, startHere, type Outcome, type ParseContext, type SpanStart } from './context.js';
import { parseKtapLine, type Dialect, type KtapLine } from './ktap.js';

interface Level {
  /** Indentation width of this level's lines, counted from the start of its segment (after a kselftest `# `). */
  readonly indent: number;
  /** kselftest nesting: this level's lines begin with `# `. */
  readonly hash: boolean;
  /** From the document's version line; undefined: its parent's (plain TAP at the top). */
  dialect: Dialect | undefined;
  readonly tests: TestResult[];
  /** Diagnostics and unknown lines waiting for the next result line at this level. */
  diagnostics: BoundedList;
  output: BoundedList;
  /** Result lines seen, stored or dropped. */
  results: number;
  lastNumber: number;
  /** Numbers of the stored results: bounded by the test limit. */
  readonly numbers: Set<number>;
  plan: number | undefined;
  sawVersion: boolean;
  /** `# Subtest: NAME` inside this document (KTAP): its parent's name. */
  name: string | undefined;
  /** `# Subtest: NAME` before a child document (TAP 14): the next test's name. */
  childName: string | undefined;
  /** This document's start, or the line after its previous result: the next result's time and lines start there. */
  start: SpanStart;
}

/** Where a line belongs: the level (0 = top) and its content there. */
export interface Located {
  depth: number;
  line: KtapLine;
  /** Indentation of a line that opens a level at `depth`; `hash` if it opens a kselftest block. */
  indent: number;
  hash: boolean;
}

const NO_PARENT_REASON = 'the kernel printed no result line for these subtests';
const NOT_RUN_REASON = 'planned, but the kernel never reported it';
const HASH_VERSION = /^#[ \t]?((?:K?TAP) version \d+)$/;
const OPENS_LEVEL = new Set<KtapLine['kind']>(['version', 'plan', 'result']);

export class KtapTree {
  readonly #context: ParseContext;
  readonly #levels: Level[];
  #planned: number | undefined;

  constructor(context: ParseContext) {
    this.#context = context;
    this.#levels = [this.#newLevel(0, false)];
  }

  /** Finds the level `text` belongs to. Deeper indentation opens a level only for a version, plan or result line. */
  locate(text: string): Located {
    let pos = 0;
    let depth = 0;
    for (let i = 1; i < this.#levels.length; i += 1) {
      const level = this.#levels[i] as Level;
      const blank = leadingBlank(text, pos);
      if (level.hash) {
        if (text[blank.end] !== '#' || !(blank.end + 1 === text.length || text[blank.end + 1] === ' ')) break;
        pos = blank.end + 2;
      } else if (blank.width < level.indent) break;
      depth = i;
    }
    const blank = leadingBlank(text, pos);
    const content = text.slice(blank.end);
    const hashVersion = HASH_VERSION.exec(content);
    if (hashVersion) return { depth: depth + 1, line: parseKtapLine(hashVersion[1] ?? ''), indent: 0, hash: true };
    const line = parseKtapLine(content);
    const deeper = blank.width > (this.#levels[depth] as Level).indent && OPENS_LEVEL.has(line.kind);
    return { depth: deeper ? depth + 1 : depth, line, indent: blank.width, hash: false };
  }

  /** A version line. At depth 0 after results, a new document starts. */
  version(at: Located, dialect: Dialect): void {
    this.#closeDeeperThan(at.depth);
    const existing = this.#levels[at.depth];
    if (existing && hasContent(existing)) {
      if (at.depth === 0) this.#restartDocument();
      else this.#closeDeeperThan(at.depth - 1);
    }
    const level = this.#level(at);
    level.sawVersion = true;
    level.dialect = dialect;
    level.start = startHere(this.#context);
  }

  plan(at: Located, count: number): void {
    const level = this.#level(at);
    if (level.plan !== undefined) {
      this.#context.problem(`a second plan 1..${count} after 1..${level.plan}`);
      return;
    }
    level.plan = count;
    if (at.depth === 0) this.#planned = (this.#planned ?? 0) + count;
  }

  diagnostic(depth: number, text: string): void {
    this.#levels[Math.min(depth, this.#levels.length - 1)]?.diagnostics.push(text);
  }

  /** An unknown line: output of the test running now, the innermost open one. */
  output(text: string): void {
    this.#levels.at(-1)?.output.push(text);
  }

  subtestName(depth: number, name: string): void {
    const level = this.#levels[Math.min(depth, this.#levels.length - 1)] as Level;
    // KTAP names the document it is in; TAP 14 (and a line before the block) the next child.
    if (depth > 0 && this.#dialect(depth) === 'KTAP' && level.results === 0 && level.name === undefined) level.name = name;
    else level.childName = name;
  }

  /** The document rules at `depth`: its own version line's, else its parent's, else TAP's. */
  dialectAt(depth: number): Dialect {
    return this.#dialect(Math.min(depth, this.#levels.length - 1));
  }

  /** A result line; the level one deeper, if open, holds its subtests. */
  result(at: Located, number: number | undefined, name: string, outcome: Outcome): void {
    this.#level(at);
    this.#closeDeeperThan(at.depth + 1);
    const children = this.#levels.length > at.depth + 1 ? (this.#levels.pop() as Level) : undefined;
    if (children) this.#closeLevel(children);
    this.#record(at.depth, number, name, outcome, children, this.#context.line());
  }

  /** Closes what is still open; returns the top-level tests and the planned count. */
  finish(): { tests: TestResult[]; planned: number | undefined } {
    this.#closeDeeperThan(0);
    const top = this.#levels[0] as Level;
    this.#closeLevel(top);
    return { tests: top.tests, planned: this.#planned };
  }

  /** A result at `depth` whose lines end at `last`: its result line, or the line before the one that ended its subtests. */
  #record(depth: number, number: number | undefined, name: string, outcome: Outcome, children: Level | undefined, last: number): void {
    const level = this.#levels[depth] as Level;
    const checked = this.#checkNumber(level, number);
    level.results += 1;
    const span = spanTo(this.#context, level.start, last);
    level.start = startAfter(this.#context, last);
    const { diagnostics, output } = level;
    level.diagnostics = this.#newLines('diagnostic lines');
    level.output = this.#newLines('output lines');
    const label = name || children?.name || level.childName || `test ${checked}`;
    level.childName = undefined;
    if (children) {
      diagnostics.append(children.diagnostics);
      output.append(children.output);
    }
    if (!this.#context.admitTest()) return;
    level.numbers.add(checked);
    const subtests = children?.tests ?? [];
    // A subtest document that reported no test (`1..0`, or a version line alone): kunit's "no tests run".
    const ranNothing = children !== undefined && hasContent(children) && children.results === 0 && subtests.length === 0;
    const result = makeResult(checked, label, parentOutcome(outcome, subtests, ranNothing), diagnostics.toArray(), subtests, span);
    const lines = output.toArray();
    if (lines.length > 0) result.output = lines;
    level.tests.push(result);
  }

  /** Returns the number to use: the kernel's, unless it is missing or not a safe integer. */
  #checkNumber(level: Level, number: number | undefined): number {
    const expected = Math.min(level.lastNumber + 1, Number.MAX_SAFE_INTEGER);
    if (number === undefined || !Number.isSafeInteger(number)) {
      if (number !== undefined) this.#context.problem(`test number ${number} is too large; numbered ${expected} instead`);
      level.lastNumber = expected;
      return expected;
    }
    if (level.numbers.has(number)) this.#context.problem(`duplicate test number ${number}`);
    else if (number !== expected) this.#context.problem(`test ${number} out of order (expected ${expected})`);
    level.lastNumber = number;
    return number;
  }

  /** A level ends: planned tests it never reported are added as not run. */
  #closeLevel(level: Level): void {
    if (level.plan === undefined || level.plan === level.results) return;
    if (level.plan < level.results) {
      const where = level === this.#levels[0] ? '' : ' in a subtest';
      this.#context.problem(`planned ${level.plan} tests${where} but got ${level.results}`);
      return;
    }
    let admitted = this.#context.admitTests(level.plan - level.results);
    for (let number = 1; admitted > 0; number += 1) {
      if (level.numbers.has(number)) continue;
      admitted -= 1;
      const name = level.childName || `test ${number}`;
      level.childName = undefined;
      // What the kernel printed as it stopped: the lines up to where the level ended.
      const lines = linesTo(level.start, this.#context.line() - 1);
      level.start = startHere(this.#context);
      const test = makeResult(number, name, { status: 'notrun', reason: NOT_RUN_REASON }, level.diagnostics.toArray(), [], lines);
      const output = level.output.toArray();
      if (output.length > 0) test.output = output;
      level.diagnostics = this.#newLines('diagnostic lines');
      level.output = this.#newLines('output lines');
      level.tests.push(test);
    }
  }

  /** Closes levels deeper than `depth` whose parent result line never came. */
  #closeDeeperThan(depth: number): void {
    while (this.#levels.length > depth + 1) {
      const children = this.#levels.pop() as Level;
      const parentDepth = this.#levels.length - 1;
      const parent = this.#levels[parentDepth] as Level;
      this.#closeLevel(children);
      if (children.tests.length === 0 && children.results === 0) {
        parent.diagnostics.append(children.diagnostics); // only stray indented lines
        parent.output.append(children.output);
        continue;
      }
      this.#context.problem(`subtests at depth ${parentDepth + 1} have no parent result line`);
      const outcome: Outcome = { status: 'fail', reason: NO_PARENT_REASON };
      this.#record(parentDepth, parent.lastNumber + 1, '', outcome, children, this.#context.line() - 1);
    }
  }

  /** A second top-level document: check the first, then number from 1 again. */
  #restartDocument(): void {
    const top = this.#levels[0] as Level;
    this.#closeLevel(top);
    this.#levels[0] = { ...this.#newLevel(0, false), tests: top.tests };
  }

  /** The level `at` names, opening it (and any between) if needed. */
  #level(at: Located): Level {
    while (this.#levels.length <= at.depth) {
      const last = this.#levels.length === at.depth;
      this.#levels.push(this.#newLevel(last ? at.indent : (this.#levels.at(-1) as Level).indent, last && at.hash));
    }
    return this.#levels[at.depth] as Level;
  }

  #dialect(depth: number): Dialect {
    for (let i = depth; i >= 0; i -= 1) {
      const dialect = this.#levels[i]?.dialect;
      if (dialect) return dialect;
    }
    return 'TAP';
  }

  #newLevel(indent: number, hash: boolean): Level {
    return {
      indent: hash ? 0 : indent,
      hash,
      dialect: undefined,
      tests: [],
      diagnostics: this.#newLines('diagnostic lines'),
      output: this.#newLines('output lines'),
      results: 0,
      lastNumber: 0,
      numbers: new Set(),
      plan: undefined,
      sawVersion: false,
      name: undefined,
      childName: undefined,
      start: startHere(this.#context),
    };
  }

  #newLines(noun: string): BoundedList {
    return new BoundedList(this.#context.limits.maxDiagnostics, noun);
  }
}

/**
 * A parent is never better than its subtests: `ok` (or a skip, or an expected failure) with a
 * failed or never-run subtest fails, and says which; `ok` over a subtest document that ran no
 * test fails too, as "no tests ran" does at the top.
 */
function parentOutcome(outcome: Outcome, subtests: TestResult[], ranNothing: boolean): Outcome {
  if (outcome.status === 'fail') return outcome;
  if (ranNothing && outcome.status !== 'skip') {
    const said = outcome.status === 'xfail' ? 'an expected failure' : 'ok';
    return { ...outcome, status: 'fail', reason: `reported ${said}, but its subtest document ran no tests` };
  }
  const failed = subtests.filter((test) => test.status === 'fail');
  const notRun = subtests.filter((test) => test.status === 'notrun');
  if (failed.length === 0 && notRun.length === 0) return outcome;
  const list = (tests: TestResult[]) => tests.map((test) => `${test.number} ${test.name}`).join(', ');
  const parts = [
    failed.length > 0 ? `failed: ${list(failed)}` : undefined,
    notRun.length > 0 ? `not run: ${list(notRun)}` : undefined,
  ].filter(Boolean);
  const said = { pass: 'ok', skip: 'skipped', xfail: 'an expected failure', notrun: 'not run' }[outcome.status];
  const result: Outcome = { status: 'fail', reason: `reported ${said}, but subtests ${parts.join('; ')}` };
  if (outcome.panic) result.panic = outcome.panic;
  return result;
}

function hasContent(level: Level): boolean {
  return level.sawVersion || level.plan !== undefined || level.results > 0;
}

/** The blank run at `pos`: its width (a space 1, a tab 2, one spec level) and where it ends. */
function leadingBlank(text: string, pos: number): { width: number; end: number } {
  let width = 0;
  let end = pos;
  for (; end < text.length; end += 1) {
    if (text[end] === ' ') width += 1;
    else if (text[end] === '\t') width += 2;
    else break;
  }
  return { width, end };
}
