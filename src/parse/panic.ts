// Rust panics as kernels print them: `panicked at FILE:LINE:COL:` then the message
// (Rust >= 1.73), or `panicked at 'MESSAGE', FILE:LINE:COL` (older Rust, where a multi-line
// message puts the location at the end of its last line).
import type { PanicInfo } from '../model.js';
import { BoundedList } from './bounded.js';

const PANIC_LINE = /^(?:Error: |# ?)?panicked at (.*)$/;
const MODERN = /^(.+?):(\d{1,9}):(\d{1,9})(?::\s*(.*))?$/;
const OLD_QUOTED = /^'(.*)$/;
// Old style ends its message with `', FILE:LINE:COL`; the last `', ` is searched for first,
// since a regex alone would backtrack quadratically over a long line.
const OLD_LOCATION_SEPARATOR = "', ";
const LOCATION = /^(.+):(\d{1,9}):(\d{1,9})$/;
const DIAGNOSTIC_PREFIX = /^\s*# ?/;

/** Collects one panic from its `panicked at` line and the message lines after it. */
export class PanicCollector {
  #file = '';
  #line = 0;
  #column = 0;
  #awaitingLocation = false;
  #oldStyle = false;
  readonly #stripHash: boolean;
  readonly #message: BoundedList;

  private constructor(stripHash: boolean, maxLines: number) {
    this.#stripHash = stripHash;
    this.#message = new BoundedList(maxLines, 'lines');
  }

  /** A collector if `text` (without indentation) is a panic line, else undefined. */
  static start(text: string, maxLines: number): PanicCollector | undefined {
    const rest = PANIC_LINE.exec(text)?.[1];
    if (rest === undefined) return undefined;
    const collector = new PanicCollector(text.startsWith('#'), maxLines);
    const quoted = OLD_QUOTED.exec(rest);
    if (quoted) {
      collector.#oldStyle = true;
      collector.#awaitingLocation = true;
      collector.#takeLine(quoted[1] ?? '');
      return collector;
    }
    const modern = MODERN.exec(rest);
    if (!modern) return undefined;
    collector.#file = modern[1] ?? '';
    collector.#setLocation(modern[2], modern[3]);
    if (modern[4]) collector.#message.push(modern[4]);
    return collector;
  }

  /** True while an old-style message has not yet reached its location: blank lines belong to it. */
  get awaitingLocation(): boolean {
    return this.#awaitingLocation;
  }

  /** True once an old-style message has reached its location: nothing after it belongs to it. */
  get complete(): boolean {
    return this.#oldStyle && !this.#awaitingLocation;
  }

  /** Adds a line of the message (a KTAP panic's `# ` prefix is removed). */
  addLine(line: string): void {
    this.#takeLine(this.#stripHash ? line.replace(DIAGNOSTIC_PREFIX, '') : line);
  }

  /** The panic; file `''` and line and column 0 if an old-style message never named its location. */
  finish(): PanicInfo {
    return {
      message: this.#message.toArray().join('\n'),
      file: this.#file,
      line: this.#line,
      column: this.#column,
    };
  }

  #takeLine(text: string): void {
    const separator = this.#awaitingLocation ? text.lastIndexOf(OLD_LOCATION_SEPARATOR) : -1;
    const afterSeparator = text.slice(separator + OLD_LOCATION_SEPARATOR.length);
    const location = separator < 0 ? null : LOCATION.exec(afterSeparator);
    if (!location) {
      this.#message.push(text);
      return;
    }
    this.#message.push(text.slice(0, separator));
    this.#file = location[1] ?? '';
    this.#setLocation(location[2], location[3]);
    this.#awaitingLocation = false;
  }

  #setLocation(line: string | undefined, column: string | undefined): void {
    this.#line = Number(line);
    this.#column = Number(column);
  }
}
