// A kernel's serial log on the html page: folded, its lines numbered as serial.log numbers them,
// and each test's lines (TestResult.serialLines) a marked block with an id the test links to.
// Following the link opens the fold (browsers open a <details> that holds the target).
import type { TestResult } from '../model.js';
import type { LogTail } from './log-tail.js';
import { escapeHtml } from './text.js';

/** A test's lines as the page shows them: within the part of the log it has. */
interface Block {
  test: TestResult;
  id: string;
  first: number;
  last: number;
}

/** The most lines shown under a failing test; the rest are in the log. */
const OWN_LINES_SHOWN = 40;

export class PageLog {
  readonly #tail: LogTail | undefined;
  readonly #label: (test: TestResult) => string;
  /** The blocks the log marks, in the order they open: by first line, outer before inner. */
  readonly #blocks: Block[] = [];
  readonly #byTest = new Map<TestResult, Block>();

  /**
   * @param prefix makes ids unique on the page (`k2`: the second kernel).
   * @param label names a test where its block starts.
   */
  constructor(prefix: string, tail: LogTail | undefined, tests: TestResult[], label: (test: TestResult) => string) {
    this.#tail = tail;
    this.#label = label;
    if (!tail) return;
    const shownLast = tail.firstLine + tail.lines.length - 1;
    const candidates = flatten(tests).flatMap((test, index) => {
      if (!test.serialLines) return [];
      const first = Math.max(test.serialLines.first, tail.firstLine);
      const last = Math.min(test.serialLines.last, shownLast);
      return first <= last ? [{ test, id: `${prefix}-t${index + 1}`, first, last }] : [];
    });
    candidates.sort((a, b) => a.first - b.first || b.last - a.last);
    // Blocks must nest as elements do: one that straddles another's end (only a report edited
    // by hand has that) is not marked, and its test gets no link.
    const open: Block[] = [];
    for (const block of candidates) {
      while (open.length > 0 && open.at(-1)!.last < block.first) open.pop();
      if (open.length > 0 && block.last > open.at(-1)!.last) continue;
      open.push(block);
      this.#blocks.push(block);
      this.#byTest.set(block.test, block);
    }
  }

  /** The link to a test's block in the log; undefined when the page does not have its lines. */
  link(test: TestResult): string | undefined {
    const block = this.#byTest.get(test);
    return block && `#${block.id}`;
  }

  /** A test's lines, at most the last OWN_LINES_SHOWN, numbered; '' when the page does not have them. */
  ownLines(test: TestResult): string {
    const block = this.#byTest.get(test);
    if (!block || !this.#tail) return '';
    const first = Math.max(block.first, block.last - OWN_LINES_SHOWN + 1);
    const lines = this.#tail.lines.slice(first - this.#tail.firstLine, block.last - this.#tail.firstLine + 1);
    const before = first > block.first ? `<p class="more">lines ${block.first}–${first - 1} are in the <a href="#${block.id}">serial log</a></p>` : '';
    return `${before}<pre class="log own" style="counter-reset:line ${first - 1}">${lines.map(numberedLine).join('\n')}</pre>`;
  }

  /** Whether a test's lines are all on the page under it (ownLines), so its diagnostics and output need not be shown again. */
  showsWhole(test: TestResult): boolean {
    const block = this.#byTest.get(test);
    return block !== undefined && block.first === test.serialLines?.first && block.last === test.serialLines.last && block.last - block.first < OWN_LINES_SHOWN;
  }

  /** The folded log, each test's block marked; '' when the log is gone. */
  render(serialBytes: number): string {
    const tail = this.#tail;
    if (!tail) return '';
    const shown = tail.lines.length === 0 ? '' : `, lines ${tail.firstLine}–${tail.firstLine + tail.lines.length - 1}`;
    const cut = tail.leftOutBytes > 0 ? `<p class="more">its first ${tail.leftOutBytes} bytes (lines 1–${tail.firstLine - 1}) are left out</p>` : '';
    let body = '';
    const open: Block[] = [];
    let next = 0;
    tail.lines.forEach((text, index) => {
      const line = tail.firstLine + index;
      for (; this.#blocks[next]?.first === line; next += 1) {
        const block = this.#blocks[next]!;
        open.push(block);
        body += `<span class="run ${block.test.status}" id="${block.id}" data-test="${escapeHtml(this.#label(block.test))}">`;
      }
      body += `${numberedLine(text)}\n`;
      while (open.at(-1)?.last === line) {
        open.pop();
        body += '</span>';
      }
    });
    return `<details class="serial"><summary>serial log (${serialBytes} bytes${shown})</summary>${cut}<pre class="log" style="counter-reset:line ${tail.firstLine - 1}">${body}</pre></details>`;
  }
}

/** One line of the log, numbered by CSS (not copied with the text); a CR before its `\n` belongs to the line ending. */
function numberedLine(text: string): string {
  return `<span class="l">${escapeHtml(text.endsWith('\r') ? text.slice(0, -1) : text)}</span>`;
}

function flatten(tests: TestResult[]): TestResult[] {
  return tests.flatMap((test) => [test, ...flatten(test.subtests)]);
}
