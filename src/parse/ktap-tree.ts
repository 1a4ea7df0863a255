// KTAP nesting: an indented document (version, plan, results) holds the subtests of the
// next result line one level out. Each open level waits here for that line.
import type { TestResult } from '../model.js';
import { BoundedList } from './bounded.js';
import { makeResult, type Outcome, type ParseContext } from './context.js';

interface Level {
  readonly tests: TestResult[];
  /** Diagnostics waiting for the next result line at this level. */
  diagnostics: BoundedList;
  /** Result lines seen, stored or dropped. */
  results: number;
  lastNumber: number;
  /** Numbers of the stored results: bounded by the test limit. */
  readonly numbers: Set<number>;
  plan: number | undefined;
  sawVersion: boolean;
  /** From `# Subtest: NAME`: names the subtests' parent if its result line never comes. */
  subtestName: string | undefined;
}

const NO_PARENT_REASON = 'the kernel printed no result line for these subtests';

export class KtapTree {
  readonly #context: ParseContext;
  readonly #levels: Level[];
  #planned: number | undefined;

  constructor(context: ParseContext) {
    this.#context = context;
    this.#levels = [this.#newLevel()];
  }

  /** A `KTAP version` / `TAP version` line. At depth 0 after results, a new document starts. */
  version(depth: number): void {
    this.#closeDeeperThan(depth);
    const existing = this.#levels[depth];
    if (existing && hasContent(existing)) {
      if (depth === 0) this.#restartDocument();
      else this.#closeDeeperThan(depth - 1);
    }
    this.#level(depth).sawVersion = true;
  }

  plan(depth: number, count: number): void {
    const level = this.#level(depth);
    if (level.plan !== undefined) {
      this.#context.problem(`a second plan 1..${count} after 1..${level.plan}`);
      return;
    }
    level.plan = count;
    if (depth === 0) this.#planned = (this.#planned ?? 0) + count;
  }

  diagnostic(depth: number, text: string): void {
    this.#level(depth).diagnostics.push(text);
  }

  subtestName(depth: number, name: string): void {
    this.#level(depth).subtestName = name;
  }

  /** A result line; the level one deeper, if open, holds its subtests. */
  result(depth: number, number: number, name: string, outcome: Outcome): void {
    this.#level(depth);
    this.#closeDeeperThan(depth + 1);
    const children = this.#levels.length > depth + 1 ? (this.#levels.pop() as Level) : undefined;
    if (children) this.#checkPlan(children, depth + 1);
    this.#record(depth, number, name, outcome, children);
  }

  /** Closes what is still open; returns the top-level tests and the planned count. */
  finish(): { tests: TestResult[]; planned: number | undefined } {
    this.#closeDeeperThan(0);
    const top = this.#levels[0] as Level;
    this.#checkPlan(top, 0);
    return { tests: top.tests, planned: this.#planned };
  }

  #record(depth: number, number: number, name: string, outcome: Outcome, children?: Level): void {
    const level = this.#levels[depth] as Level;
    const checked = this.#checkNumber(level, number);
    level.results += 1;
    const diagnostics = level.diagnostics;
    level.diagnostics = this.#newDiagnostics();
    if (children) {
      diagnostics.append(children.diagnostics);
      level.subtestName = undefined; // it named these children (TAP 14 puts it one level out)
    }
    if (!this.#context.admitTest()) return;
    level.numbers.add(checked);
    const label = name || `test ${checked}`;
    level.tests.push(makeResult(checked, label, outcome, diagnostics.toArray(), children?.tests));
  }

  /** Returns the number to use: the kernel's, unless it is not a safe integer. */
  #checkNumber(level: Level, number: number): number {
    const expected = Math.min(level.lastNumber + 1, Number.MAX_SAFE_INTEGER);
    if (!Number.isSafeInteger(number)) {
      this.#context.problem(`test number ${number} is too large; numbered ${expected} instead`);
      level.lastNumber = expected;
      return expected;
    }
    if (level.numbers.has(number)) this.#context.problem(`duplicate test number ${number}`);
    else if (number !== expected) this.#context.problem(`test ${number} out of order (expected ${expected})`);
    level.lastNumber = number;
    return number;
  }

  #checkPlan(level: Level, depth: number): void {
    if (level.plan === undefined || level.plan === level.results) return;
    const where = depth === 0 ? '' : ` at depth ${depth}`;
    this.#context.problem(`planned ${level.plan} tests${where} but got ${level.results}`);
  }

  /** Closes levels deeper than `depth` whose parent result line never came. */
  #closeDeeperThan(depth: number): void {
    while (this.#levels.length > depth + 1) {
      const children = this.#levels.pop() as Level;
      const parentDepth = this.#levels.length - 1;
      const parent = this.#levels[parentDepth] as Level;
      this.#checkPlan(children, parentDepth + 1);
      if (children.results === 0) {
        parent.diagnostics.append(children.diagnostics); // only stray indented diagnostics
        continue;
      }
      this.#context.problem(`subtests at depth ${parentDepth + 1} have no parent result line`);
      const name = children.subtestName ?? parent.subtestName ?? '';
      const outcome: Outcome = { status: 'fail', reason: NO_PARENT_REASON };
      this.#record(parentDepth, parent.lastNumber + 1, name, outcome, children);
    }
  }

  /** A second top-level document: check the first, then number from 1 again. */
  #restartDocument(): void {
    const top = this.#levels[0] as Level;
    this.#checkPlan(top, 0);
    this.#levels[0] = { ...this.#newLevel(), tests: top.tests };
  }

  /** The level at `depth`, opening it (and any between) if needed. */
  #level(depth: number): Level {
    while (this.#levels.length <= depth) this.#levels.push(this.#newLevel());
    return this.#levels[depth] as Level;
  }

  #newLevel(): Level {
    return {
      tests: [],
      diagnostics: this.#newDiagnostics(),
      results: 0,
      lastNumber: 0,
      numbers: new Set(),
      plan: undefined,
      sawVersion: false,
      subtestName: undefined,
    };
  }

  #newDiagnostics(): BoundedList {
    return new BoundedList(this.#context.limits.maxDiagnostics, 'diagnostic lines');
  }
}

function hasContent(level: Level): boolean {
  return level.sawVersion || level.plan !== undefined || level.results > 0;
}
