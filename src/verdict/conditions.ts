import type { KernelConfig } from '../project/config.js';

// The conditions that decide a run while the kernel still runs: `pass-when-*` and `fail-when-*`.

export type ConditionKey = 'pass-when-vga' | 'pass-when-serial' | 'fail-when-vga' | 'fail-when-serial';

/** A condition that matched: what it asked for, what matched it, and when. */
export interface Decision {
  verdict: 'pass' | 'fail';
  key: ConditionKey;
  /** The condition's text (VGA) or regular expression (serial). */
  pattern: string;
  /** The serial line, or the screen row, that matched. */
  matched: string;
  /** Seconds since the kernel started. */
  seconds: number;
}

interface Condition {
  verdict: 'pass' | 'fail';
  key: ConditionKey;
  pattern: string;
  matches: (text: string) => boolean;
}

export type ConditionConfig = Pick<KernelConfig, 'passWhenVga' | 'passWhenSerial' | 'failWhenVga' | 'failWhenSerial' | 'vgaPollMs'>;

/**
 * Follows one run's serial lines and screens against its conditions. The first pass and the
 * first fail are kept; a fail wins over a pass, even one seen earlier, as long as the
 * kernel is still being watched.
 */
export class ConditionWatch {
  readonly pollMs: number;
  private readonly serial: Condition[];
  private readonly vga: Condition[];
  private passed?: Decision;
  private failed?: Decision;

  constructor(config: ConditionConfig) {
    this.pollMs = config.vgaPollMs;
    // Fail conditions first: when one line or screen matches both, the fail is the one seen.
    this.serial = [
      ...config.failWhenSerial.map((pattern) => regexCondition('fail', 'fail-when-serial', pattern)),
      ...(config.passWhenSerial === undefined ? [] : [regexCondition('pass', 'pass-when-serial', config.passWhenSerial)]),
    ];
    this.vga = [
      ...config.failWhenVga.map((pattern) => textCondition('fail', 'fail-when-vga', pattern)),
      ...(config.passWhenVga === undefined ? [] : [textCondition('pass', 'pass-when-vga', config.passWhenVga)]),
    ];
  }

  /** The decision so far: a fail if any condition failed the run, else a pass if one passed it. */
  get decision(): Decision | undefined {
    return this.failed ?? this.passed;
  }

  /** Whether the screen must be read while the kernel runs: a VGA condition is set and nothing is decided. */
  get watchesScreen(): boolean {
    return this.vga.length > 0 && this.decision === undefined;
  }

  /** The pass conditions not met, as the report names them: `the screen showing "X" (pass-when-vga)`. */
  waitedFor(): string[] {
    if (this.passed) return [];
    return [...this.vga, ...this.serial].filter((condition) => condition.verdict === 'pass').map(describeWait);
  }

  /** Checks one serial line; true when the run is decided. */
  line(line: string, seconds: number): boolean {
    this.check(this.serial, [line], seconds);
    return this.decision !== undefined;
  }

  /** Checks the screen's text (rows joined by newlines); true when the run is decided. */
  screen(text: string, seconds: number): boolean {
    this.check(this.vga, text.split('\n'), seconds, text);
    return this.decision !== undefined;
  }

  private check(conditions: Condition[], lines: string[], seconds: number, whole?: string): void {
    for (const condition of conditions) {
      if (condition.verdict === 'fail' ? this.failed : this.decision) continue;
      if (!condition.matches(whole ?? lines[0]!)) continue;
      const matched = lines.find((line) => condition.matches(line)) ?? whole ?? '';
      const decision = { verdict: condition.verdict, key: condition.key, pattern: condition.pattern, matched: matched.trim(), seconds };
      if (condition.verdict === 'fail') this.failed = decision;
      else this.passed = decision;
    }
  }
}

function regexCondition(verdict: 'pass' | 'fail', key: ConditionKey, pattern: string): Condition {
  const regex = new RegExp(pattern);
  return { verdict, key, pattern, matches: (text) => regex.test(text) };
}

function textCondition(verdict: 'pass' | 'fail', key: ConditionKey, pattern: string): Condition {
  return { verdict, key, pattern, matches: (text) => text.includes(pattern) };
}

/** What decided the run, for the report: `the screen showed "Allocator works!" after 0.41 s`. */
export function describeDecision(decision: Decision): string {
  const when = `after ${decision.seconds.toFixed(2)} s`;
  if (decision.key.endsWith('-vga')) {
    const what = `the screen showed "${decision.pattern}" ${when}`;
    return decision.verdict === 'pass' ? what : `${decision.key}: ${what}, in the line "${decision.matched}"`;
  }
  const what = `the serial line "${decision.matched}" matched /${decision.pattern}/ ${when}`;
  return decision.verdict === 'pass' ? what : `${decision.key}: ${what}`;
}

function describeWait(condition: Condition): string {
  return condition.key.endsWith('-vga')
    ? `the screen showing "${condition.pattern}" (${condition.key})`
    : `a serial line matching /${condition.pattern}/ (${condition.key})`;
}
