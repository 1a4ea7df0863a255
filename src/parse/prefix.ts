// A kernel log puts a prefix before every line (a printk timestamp `[    0.060000] `, a log
// tag, a whole-document indentation). As the kunit tool does, whatever precedes the first
// version line is the prefix, and it is removed from the lines after it. A later document
// logged another way adds its own prefix; the earlier ones still count.

const VERSION_ANYWHERE = /K?TAP version \d+$/;
// A log prefix, not prose or a diagnostic (`notes #TAP version 13`): it ends like a tag or a timestamp.
const ANOTHER_PREFIX = /^[^#]*[\s:\]>]$/;
/** Prefixes kept at most: a kernel cannot grow the parser's memory with them. */
const MAX_PREFIXES = 8;

interface Prefix {
  text: string;
  /** The prefix with digits and spaces blurred, for prefixes that vary (timestamps). */
  shape: string | undefined;
}

export class LinePrefix {
  /** Newest first. */
  readonly #prefixes: Prefix[] = [];

  /** Whether the prefix is known (a version line has been seen). */
  get found(): boolean {
    return this.#prefixes.length > 0;
  }

  /** Takes the prefix from `line` if it is a version line (`…KTAP version 1`); returns the line without it. */
  detect(line: string): string | undefined {
    const version = VERSION_ANYWHERE.exec(line);
    if (!version) return undefined;
    const text = line.slice(0, version.index);
    // Only a prefix with some structure (`[`, `]`, letters) may vary: a bare indentation may not.
    const shape = /[^\d ]/.test(text.replace(/\t/g, '')) ? blur(text) : undefined;
    if (this.#prefixes.length < MAX_PREFIXES) this.#prefixes.unshift({ text, shape });
    return line.slice(version.index);
  }

  /**
   * A version line behind a prefix not seen before (a second document, logged another way:
   * `[ 1.0] KTAP version 1` after a bare one): its prefix is added, so its `not ok` still
   * counts. `stripped` is `line` as strip() left it; an indented or `# ` version line is nested.
   */
  detectAnother(stripped: string, line: string): string | undefined {
    const version = VERSION_ANYWHERE.exec(stripped);
    if (!version || version.index === 0 || !ANOTHER_PREFIX.test(stripped.slice(0, version.index).trimStart())) return undefined;
    return this.detect(line);
  }

  /**
   * The line without a known prefix. A line whose start differs from every prefix is kept
   * whole (unlike kunit, which cuts as many characters as the prefix has), so a `not ok`
   * printed without the prefix still counts.
   */
  strip(line: string): string {
    for (const prefix of this.#prefixes) {
      const stripped = stripOne(prefix, line);
      if (stripped !== undefined) return stripped;
    }
    return line;
  }

  /** A line that lacks every prefix, read as kunit reads it: as many characters cut as a prefix has, newest first. */
  cuts(line: string): string[] {
    return this.#prefixes.filter(({ text }) => text && line.length > text.length).map(({ text }) => line.slice(text.length));
  }
}

function stripOne({ text: prefix, shape }: Prefix, line: string): string | undefined {
  if (!prefix) return undefined;
  if (line.startsWith(prefix)) return line.slice(prefix.length);
  if (shape !== undefined && blur(line.slice(0, prefix.length)) === shape) return line.slice(prefix.length);
  // A prefix whose trailing blank the kernel trimmed (`[    0.06] ` on an empty line).
  const bare = prefix.trimEnd();
  if (shape !== undefined ? blur(line) === blur(bare) : line === bare) return '';
  return undefined;
}

function blur(text: string): string {
  return text.replace(/[\d ]/g, '0');
}
