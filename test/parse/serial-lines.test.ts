// Each test's lines of serial.log: the span its duration covers, numbered as the file numbers
// its lines, so the html report can link a test to what it printed, and a saved serial.log
// reads back to the same spans.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TestResult } from '../../src/model.js';
import { parseSerialOutput, readSerialTimes } from '../../src/parse/index.js';
import { SerialParser } from '../../src/parse/serial.js';
import { lines, parse, recorded } from './helpers.js';

/** Each test (subtests indented) as `NAME first-last`, or `NAME -` without lines. */
function spans(tests: TestResult[], indent = ''): string[] {
  return tests.flatMap((test) => [
    `${indent}${test.name} ${test.serialLines ? `${test.serialLines.first}-${test.serialLines.last}` : '-'}`,
    ...spans(test.subtests, `${indent}  `),
  ]);
}

describe("each test's serial lines", () => {
  it('run from its document\'s version line, then from the line after the previous result, to its own result line', () => {
    const report = parse(lines(
      'booting', // 1: before the document, no test's
      'KTAP version 1', // 2
      '1..3', // 3
      '# heap: used=1', // 4
      'ok 1 first', // 5
      'some output', // 6
      'not ok 2 second', // 7
      'ok 3 third', // 8
      'shutting down', // 9: after the last result, no test's
    ));
    expect(spans(report.tests)).toEqual(['first 2-5', 'second 6-7', 'third 8-8']);
  });

  it('give a KTAP parent its whole subtest document and each subtest its part of it', () => {
    const report = parse(lines(
      'KTAP version 1', // 1
      '1..2', // 2
      'ok 1 plain', // 3
      '    KTAP version 1', // 4
      '    # Subtest: suite', // 5
      '    1..2', // 6
      '    ok 1 inner_a', // 7
      '        KTAP version 1', // 8
      '        1..1', // 9
      '        not ok 1 deepest', // 10
      '    not ok 2 inner_b', // 11
      'not ok 2 suite', // 12
    ));
    expect(spans(report.tests)).toEqual(['plain 1-3', 'suite 4-12', '  inner_a 4-7', '  inner_b 8-11', '    deepest 8-10']);
  });

  it('follow TAP 14 subtests named before their block, and plain TAP without a version line from the first line', () => {
    const tap14 = parse(lines('TAP version 14', '1..1', '# Subtest: group', '    1..1', '    ok 1 leaf', 'ok 1 group'));
    expect(spans(tap14.tests)).toEqual(['group 1-6', '  leaf 4-5']);
    expect(spans(parse(lines('1..2', 'ok 1', 'noise', 'ok 2')).tests)).toEqual(['test 1 1-2', 'test 2 3-4']);
  });

  it('follow kselftest nesting, where each subtest line starts with `# `', () => {
    const report = parse(readFileSync(new URL('../../fixtures/ktap/kselftest.log', import.meta.url)));
    expect(spans(report.tests).slice(0, 4)).toEqual(['selftests: mm: map_fixed 1-8', '  map at a fixed address 4-6', '  map over an existing mapping 7-7', 'selftests: mm: guard_pages 9-15']);
  });

  it('count every line of serial.log: the handshake, blank lines, log prefixes, CR LF', () => {
    const report = parse('[    0.10] KTAP version 1\r\n[    0.11] 1..2\r\n\r\n# alloc-runner: screen ready\r\n[    0.20] ok 1 a\r\n[    0.30] ok 2 b\r\n');
    expect(spans(report.tests)).toEqual(['a 1-5', 'b 6-6']);
  });

  it('restart at a second document', () => {
    expect(spans(parse(lines('KTAP version 1', 'ok 1 a', 'between', 'KTAP version 1', 'ok 1 b')).tests)).toEqual(['a 1-2', 'b 4-5']);
  });

  it('give the first test not run what its level printed until it ended, the others none', () => {
    const crashed = parse(lines('KTAP version 1', '1..3', 'ok 1 a', 'panicked at src/x.rs:1:2:', 'boom'));
    expect(spans(crashed.tests)).toEqual(['a 1-3', 'test 2 4-5', 'test 3 -']);
    expect(crashed.tests[2]).not.toHaveProperty('serialLines');
    // Ended by its parent's result line: up to the line before it.
    const nested = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..2', '  ok 1 x', '  stray', 'not ok 1 parent'));
    expect(spans(nested.tests)).toEqual(['parent 1-7', '  x 3-5', '  test 2 6-6']);
    // A kernel that stopped right after a result: nothing left for the test not run.
    expect(spans(parse(lines('KTAP version 1', '1..2', 'ok 1 a')).tests)).toEqual(['a 1-3', 'test 2 -']);
  });

  it('end subtests without a parent result line before the line that ended them', () => {
    const report = parse(lines('KTAP version 1', '1..2', '  KTAP version 1', '  1..1', '  ok 1 orphan', 'KTAP version 1', '1..1', 'ok 1 next'));
    expect(spans(report.tests)).toEqual(['test 1 1-5', '  orphan 3-5', 'test 2 -', 'next 6-8']);
  });

  it('run in blog_os output from `Running N tests`; the test in flight gets what came after the last result', () => {
    const report = parseSerialOutput(recorded('blog_os/serial/heap_allocation.fail.serial'));
    expect(spans(report.tests)).toEqual([
      'heap_allocation::large_vec 1-2',
      'heap_allocation::many_boxes 3-3',
      'heap_allocation::many_boxes_long_lived 4-4',
      'heap_allocation::simple_allocation 5-5',
    ]);
    const hung = parse(lines('boot', 'Running 3 tests', 'a...\t[ok]', 'b::slow...', 'still going'));
    expect(spans(hung.tests)).toEqual(['a 2-3', 'b::slow 4-5', 'test 3 -']);
    // A second kernel's run starts again at its `Running N tests`; without one, at the first line.
    const two = parse(lines('x...\t[ok]', 'Running 1 test', 'y::z...', 'Running 1 test', 'w...\t[ok]'));
    expect(spans(two.tests)).toEqual(['x 1-1', 'y::z 2-3', 'w 4-5']);
  });

  it('are the same timed or untimed, pushed line by line or read back from a saved log', () => {
    const log = lines('KTAP version 1', '1..2', '# alloc-runner: screen ready', 'ok 1 a', 'output', 'not ok 2 b');
    const timed = new SerialParser();
    log.split('\n').slice(0, -1).forEach((line, index) => timed.push(line, index * 10));
    const live = timed.finish().tests;
    expect(spans(live)).toEqual(['a 1-4', 'b 5-6']);
    expect(live.map((test) => test.durationMs)).toEqual([30, 20]);
    const again = parseSerialOutput(Buffer.from(log), readSerialTimes('0\n10\n20\n30\n40\n50\n')).tests;
    expect(again).toEqual(live);
    expect(parseSerialOutput(log).tests.map((test) => test.serialLines)).toEqual(live.map((test) => test.serialLines));
  });
});
