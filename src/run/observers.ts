import { decodeVgaBuffer, screenText } from '../capture/vga.js';
import type { KernelConfig } from '../project/config.js';
import { SerialParser } from '../parse/serial.js';
import type { ScreenWatch } from '../qemu/screen.js';
import { ConditionWatch } from '../verdict/conditions.js';

const LAST_LINES = 20;

/**
 * What follows one boot's serial lines: the parser, the last lines, the `serial-matches`
 * patterns and the pass/fail conditions. Made afresh for each boot, so that a boot again
 * (with TCG, after KVM failed) starts from nothing.
 */
export class BootObservers {
  readonly parser = new SerialParser();
  readonly lastLines: string[] = [];
  readonly watch: ConditionWatch;
  /** The conditions on the screen, as the boot reads it: the VGA text buffer. */
  readonly screenWatch: ScreenWatch;
  readonly #patterns: Array<{ source: string; regex: RegExp; seen: boolean }>;

  /** @param echo also given every line (`--verbose`, `alloc-runner run`) */
  constructor(
    config: KernelConfig,
    private readonly echo?: (line: string) => void,
  ) {
    const watch = (this.watch = new ConditionWatch(config));
    this.screenWatch = {
      screen: (vgaBuffer, seconds) => watch.screen(screenText(decodeVgaBuffer(vgaBuffer)), seconds),
      get watchesScreen() {
        return watch.watchesScreen;
      },
      pollMs: watch.pollMs,
    };
    this.#patterns = config.serialMatches.map((source) => ({ source, regex: new RegExp(source), seen: false }));
  }

  /** One serial line, `atMs` after the guest started; true when a condition decided the run. */
  line(line: string, atMs: number): boolean {
    this.parser.push(line, atMs);
    this.lastLines.push(line);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
    for (const pattern of this.#patterns) if (!pattern.seen && pattern.regex.test(line)) pattern.seen = true;
    this.echo?.(line);
    return this.watch.line(line, atMs / 1000);
  }

  /** The `serial-matches` patterns no line matched. */
  unmatchedPatterns(): string[] {
    return this.#patterns.filter((pattern) => !pattern.seen).map((pattern) => pattern.source);
  }
}
