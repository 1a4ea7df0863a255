import { describe, expect, it } from 'vitest';
import { SerialParser } from '../../src/parse/serial.js';
import { parseSerialOutput, readSerialTimes } from '../../src/parse/index.js';
import { metricsOf, parseHeapLine } from '../../src/parse/metrics.js';
import type { TestResult } from '../../src/model.js';

/** Feeds [ms, line] pairs to a parser and returns its tests. */
function timed(...pairs: Array<[number, string]>): TestResult[] {
  const parser = new SerialParser();
  for (const [ms, line] of pairs) parser.push(line, ms);
  return parser.finish().tests;
}

describe('per-test durations', () => {
  it('runs from the document start, then from the previous result', () => {
    const tests = timed([100, 'KTAP version 1'], [101, '1..3'], [150, 'ok 1 a'], [400.6, '# heap: used=1'], [460, 'ok 2 b'], [461, 'not ok 3 c']);
    expect(tests.map((test) => test.durationMs)).toEqual([50, 310, 1]);
  });

  it('times subtests within their own document and a parent from its previous sibling', () => {
    const tests = timed(
      [0, 'KTAP version 1'],
      [0, '1..2'],
      [10, 'ok 1 first'],
      [20, '  KTAP version 1'],
      [20, '  1..2'],
      [25, '  ok 1 inner_a'],
      [45, '  ok 2 inner_b'],
      [50, 'ok 2 suite'],
    );
    expect(tests.map((test) => test.durationMs)).toEqual([10, 40]);
    expect(tests[1]?.subtests.map((test) => test.durationMs)).toEqual([5, 20]);
  });

  it('restarts at a second document', () => {
    const tests = timed([0, 'KTAP version 1'], [5, 'ok 1 a'], [100, 'KTAP version 1'], [130, 'ok 1 b']);
    expect(tests.map((test) => test.durationMs)).toEqual([5, 30]);
  });

  it('times blog_os tests from `Running N tests`', () => {
    const tests = timed([7, 'Running 2 tests'], [9, 'a...\t[ok]'], [19, 'b...\t[ok]']);
    expect(tests.map((test) => test.durationMs)).toEqual([2, 10]);
  });

  it('gives a test not run no duration, and untimed lines none at all', () => {
    expect(timed([0, 'KTAP version 1'], [0, '1..2'], [3, 'ok 1 a']).map((test) => test.durationMs)).toEqual([3, undefined]);
    expect(parseSerialOutput('KTAP version 1\n1..1\nok 1 a\n').tests[0]).not.toHaveProperty('durationMs');
  });

  it('reads a saved run back with its serial.times', () => {
    const times = readSerialTimes('0.0\n2.5\n12.4\n');
    expect(times).toEqual([0, 2.5, 12.4]);
    expect(parseSerialOutput('KTAP version 1\nok 1 a\nok 2 b\n', times).tests.map((test) => test.durationMs)).toEqual([3, 10]);
    expect(readSerialTimes('1\nnonsense\n\n')).toEqual([1, undefined, undefined]);
  });
});

describe('heap figures', () => {
  it('reads the documented line into integers', () => {
    expect(parseHeapLine('heap: used=16 peak=4096 live=1 total=12 failed=0')).toEqual({ used: 16, peak: 4096, live: 1, total: 12, failed: 0 });
  });

  it('leaves lines that do not parse alone', () => {
    for (const line of ['heap:', 'heap: used=1.5', 'heap: used=-1', 'heap: used=abc', 'heap used=1', 'heap: used=1 junk', 'heap: 0x1000..0x2000 (4 KiB)', 'heap: used=1234567890123456']) {
      expect(parseHeapLine(line), line).toBeUndefined();
    }
  });

  it('keeps a key named __proto__ as an own figure', () => {
    const figures = parseHeapLine('heap: __proto__=3');
    expect(Object.keys(figures ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(figures)).toBe(Object.prototype);
  });

  it('puts them into the test as metrics; other diagnostics stay plain', () => {
    const [test] = parseSerialOutput('KTAP version 1\n1..1\n# heap: used=16 peak=32\n# note\n# heap: used=20\nok 1 a\n').tests;
    expect(test?.metrics).toEqual({ used: 20, peak: 32 });
    expect(test?.diagnostics).toEqual(['heap: used=16 peak=32', 'note', 'heap: used=20']);
    expect(metricsOf(['heap: nope'])).toBeUndefined();
  });
});
