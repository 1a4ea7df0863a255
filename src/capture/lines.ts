// Serial output arrives in arbitrary chunks; the parsers want whole lines.
import { StringDecoder } from 'node:string_decoder';

/** Longest line kept by default, in UTF-16 code units. */
export const DEFAULT_MAX_LINE_LENGTH = 4096;

export interface LineSplitterOptions {
  /** Longest line kept, in UTF-16 code units (default 4096); the rest is dropped and counted. */
  maxLineLength?: number;
}

/**
 * Splits a byte (or text) stream into lines. Lines end in `\n` or `\r\n`; bytes are decoded
 * as UTF-8, invalid ones becoming U+FFFD, characters split across chunks reassembled. A line
 * longer than `maxLineLength` keeps its start and ends in ` …[truncated N chars]`, so memory
 * stays bounded whatever a kernel prints. The splitter is reusable after `end()`.
 */
export class LineSplitter {
  readonly #maxLength: number;
  readonly #decoder = new StringDecoder('utf8');
  #kept = '';
  #dropped = 0;
  #endsWithCR = false;
  #hasText = false;

  /** @throws RangeError if `maxLineLength` is not a positive integer. */
  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxLineLength must be a positive integer, not ${max}`);
    }
    this.#maxLength = max;
  }

  /** Feeds one chunk; returns the lines it completes. */
  push(chunk: Uint8Array | string): string[] {
    // A string chunk cannot continue a character whose bytes came earlier: flush them.
    const text = typeof chunk === 'string' ? this.#decoder.end() + chunk : this.#decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      this.#append(text.slice(start, newline));
      lines.push(this.#takeLine());
      start = newline + 1;
    }
    this.#append(text.slice(start));
    return lines;
  }

  /** Ends the stream: returns the lines still pending, including a last one without `\n`. */
  end(): string[] {
    const lines = this.push(this.#decoder.end());
    if (this.#hasText) lines.push(this.#takeLine());
    return lines;
  }

  #append(piece: string): void {
    if (piece === '') return;
    this.#hasText = true;
    this.#endsWithCR = piece.endsWith('\r');
    const room = this.#maxLength - this.#kept.length;
    if (this.#dropped === 0 && piece.length <= room) {
      this.#kept += piece;
      return;
    }
    // Once a line is cut, the rest of it is dropped, however it was chunked.
    let cut = this.#dropped === 0 ? room : 0;
    if (cut > 0 && isHighSurrogate(piece.charCodeAt(cut - 1))) cut -= 1; // never split a pair
    this.#kept += piece.slice(0, cut);
    this.#dropped += piece.length - cut;
  }

  #takeLine(): string {
    let line = this.#kept;
    let dropped = this.#dropped;
    if (this.#endsWithCR) {
      if (dropped > 0) dropped -= 1;
      else line = line.slice(0, -1);
    }
    this.#kept = '';
    this.#dropped = 0;
    this.#endsWithCR = false;
    this.#hasText = false;
    return dropped > 0 ? `${line} …[truncated ${dropped} chars]` : line;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Splits a whole output at once, as `LineSplitter` would in any chunking. */
export function splitLines(output: Uint8Array | string, options?: LineSplitterOptions): string[] {
  const splitter = new LineSplitter(options);
  return [...splitter.push(output), ...splitter.end()];
}
