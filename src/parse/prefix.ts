// A kernel log puts a prefix before every line (a printk timestamp `[    0.060000] `, a log
// tag, a whole-document indentation). As the kunit tool does, whatever precedes the first
// version line is the prefix, and it is removed from the lines after it.

const VERSION_ANYWHERE = /K?TAP version \d+$/;

export class LinePrefix {
  #prefix: string | undefined;
  /** The prefix with digits and spaces blurred, for prefixes that vary (timestamps). */
  #shape: string | undefined;

  /** Whether the prefix is known (a version line has been seen). */
  get found(): boolean {
    return this.#prefix !== undefined;
  }

  /** Takes the prefix from `line` if it is a version line (`…KTAP version 1`); returns the line without it. */
  detect(line: string): string | undefined {
    const version = VERSION_ANYWHERE.exec(line);
    if (!version) return undefined;
    this.#prefix = line.slice(0, version.index);
    // Only a prefix with some structure (`[`, `]`, letters) may vary: a bare indentation may not.
    this.#shape = /[^\d ]/.test(this.#prefix.replace(/\t/g, '')) ? blur(this.#prefix) : undefined;
    return line.slice(version.index);
  }

  /**
   * The line without the prefix. A line whose start differs from the prefix is kept whole
   * (unlike kunit, which cuts as many characters as the prefix has), so a `not ok` printed
   * without the prefix still counts.
   */
  strip(line: string): string {
    const prefix = this.#prefix;
    if (!prefix) return line;
    if (line.startsWith(prefix)) return line.slice(prefix.length);
    const start = line.slice(0, prefix.length);
    if (this.#shape !== undefined && blur(start) === this.#shape) return line.slice(prefix.length);
    // A prefix whose trailing blank the kernel trimmed (`[    0.06] ` on an empty line).
    const bare = prefix.trimEnd();
    if (this.#shape !== undefined ? blur(line) === blur(bare) : line === bare) return '';
    return line;
  }
}

function blur(text: string): string {
  return text.replace(/[\d ]/g, '0');
}
