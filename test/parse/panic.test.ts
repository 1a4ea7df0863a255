import { describe, expect, it } from 'vitest';
import { lines, parse } from './helpers.js';

describe('panics', () => {
  it.each([
    ['panicked at src/main.rs:12:5:', 'src/main.rs', 12, 5, 'first\nsecond'],
    ['Error: panicked at src/main.rs:12:5:', 'src/main.rs', 12, 5, 'first\nsecond'],
    ['# panicked at src/main.rs:12:5:', 'src/main.rs', 12, 5, 'first\nsecond'],
    ['panicked at src/main.rs:12:5: same line', 'src/main.rs', 12, 5, 'same line\nfirst\nsecond'],
    ["panicked at 'old style', src/main.rs:12:5", 'src/main.rs', 12, 5, 'old style'],
    ['panicked at C:\\os\\main.rs:1:2:', 'C:\\os\\main.rs', 1, 2, 'first\nsecond'],
  ])('recognises %s', (panicLine, file, line, column, message) => {
    const report = parse(lines('boot chatter', panicLine, 'first', 'second', '', 'after a blank line'));
    expect(report.format).toBe('none');
    expect(report.panic).toEqual({ file, line, column, message });
  });

  it('reads an old-style multi-line message whose location ends its last line', () => {
    const report = parse(
      lines("Error: panicked at 'assertion failed: `(left == right)`", '  left: `1`,', '', " right: `2`', src/main.rs:55:5", 'chatter'),
    );
    expect(report.panic).toEqual({
      file: 'src/main.rs',
      line: 55,
      column: 5,
      message: 'assertion failed: `(left == right)`\n  left: `1`,\n\n right: `2`',
    });
  });

  it('keeps an old-style panic whose location never comes, with an unknown location', () => {
    const report = parse(lines("panicked at 'cut off"));
    expect(report.panic).toEqual({ file: '', line: 0, column: 0, message: 'cut off' });
  });

  it('ignores `panicked at` text that is not at the start or has no location', () => {
    expect(parse(lines('thread main panicked at src/x.rs:1:1:', 'panicked at nowhere')).panic).toBeUndefined();
  });

  it('strips `# ` from KTAP message lines and stops at the result line', () => {
    const output = lines('KTAP version 1', '1..1', '# panicked at a.rs:1:2:', '# msg', '#   left: 1', 'raw line', 'not ok 1 t');
    const [test] = parse(output).tests;
    expect(test?.panic?.message).toBe('msg\n  left: 1\nraw line');
    expect(test?.diagnostics).toEqual([]); // kept once, as the panic
  });

  it('stops a message at a plan line, then still gives the panic to the next result', () => {
    const [test] = parse(lines('# panicked at a.rs:1:2:', '# msg', '1..1', 'not ok 1 t')).tests;
    expect(test?.panic?.message).toBe('msg');
  });

  it('attaches to xfail and skip results without replacing their reason', () => {
    const report = parse(lines('KTAP version 1', '1..2', '# panicked at a.rs:1:2: oom', 'not ok 1 t # XFAIL expected'));
    expect(report.tests[0]).toMatchObject({ status: 'xfail', reason: 'expected', panic: { message: 'oom' } });
  });

  it("replaces a failed result's directive text by the panic", () => {
    const [test] = parse(lines('# panicked at a.rs:1:2: oom', 'not ok 1 t # crashed')).tests;
    expect(test?.reason).toBe('panicked at a.rs:1:2: oom');
  });

  it('reports a KTAP panic without a result line after it as the kernel panic', () => {
    const report = parse(lines('KTAP version 1', '1..2', 'ok 1 a', '# panicked at src/lib.rs:9:9:', '# heap exhausted'));
    expect(report.panic).toEqual({ file: 'src/lib.rs', line: 9, column: 9, message: 'heap exhausted' });
    expect(report.problems).toEqual([]);
    expect(report.tests.map((test) => test.status)).toEqual(['pass', 'notrun']);
  });

  it('keeps the first of two panics outside tests and reports the second', () => {
    const report = parse(lines('panicked at a.rs:1:1: one', 'panicked at b.rs:2:2: two'));
    expect(report.panic?.file).toBe('a.rs');
    expect(report.problems).toEqual(['at end of output: another panic outside any test: panicked at b.rs:2:2: two']);
  });

  it('keeps at most maxPanicLines message lines', () => {
    const report = parse(lines('panicked at a.rs:1:1:', 'm1', 'm2', 'm3'), { maxPanicLines: 2 });
    expect(report.panic?.message).toBe('m1\nm2\n… 1 more lines');
  });

  it('ignores the handshake line inside a panic message', () => {
    const report = parse(lines('# panicked at a.rs:1:1:', '# alloc-runner: screen ready', '# msg'));
    expect(report.panic?.message).toBe('msg');
  });

  it('keeps both handshake lines out of the message of a panic that ends the kernel', () => {
    const report = parse(lines('panicked at src/main.rs:3:4:', 'boom', '# alloc-runner: screen ready', '# alloc-runner: handshake answered'));
    expect(report.panic?.message).toBe('boom');
  });
});
