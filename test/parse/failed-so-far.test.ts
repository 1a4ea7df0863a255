// SerialParser.failedSoFar: whether the lines so far show a failure. The screen handshake asks
// it: vga.png is written only for a kernel that may fail (or with --screenshot).
import { describe, expect, it } from 'vitest';
import { SerialParser } from '../../src/parse/serial.js';

/** failedSoFar after each line. */
function afterEachLine(...lines: string[]): boolean[] {
  const parser = new SerialParser();
  return lines.map((line) => {
    parser.push(line);
    return parser.failedSoFar;
  });
}

describe('the lines so far show a failure', () => {
  it('not while tests pass, are skipped, or fail as their dialect expects (KTAP XFAIL, TAP TODO)', () => {
    expect(afterEachLine('KTAP version 1', '1..3', 'ok 1 a', 'ok 2 b # SKIP not here', 'not ok 3 c # XFAIL known')).toEqual([false, false, false, false, false]);
    expect(afterEachLine('TAP version 13', '1..1', 'not ok 1 a # TODO later')).toEqual([false, false, false]);
    expect(afterEachLine('booting', '# panicked as expected: memory allocation failed')).toEqual([false, false]);
  });

  it('from a failed test on, a nested one too', () => {
    expect(afterEachLine('KTAP version 1', '1..2', '    KTAP version 1', '    1..1', '    not ok 1 inner', 'not ok 1 outer', 'ok 2 next')).toEqual([false, false, false, false, true, true, true]);
  });

  it('from a panic on, before any test line too', () => {
    expect(afterEachLine('booting', 'panicked at src/main.rs:3:5:', 'boom')).toEqual([false, true, true]);
  });

  it('from a failed blog_os test on', () => {
    expect(afterEachLine('Running 2 tests', 't::a...\t[ok]', 't::b...\t[failed]')).toEqual([false, false, true]);
  });
});
