import { describe, expect, it } from 'vitest';
import type { SerialReport } from '../../src/model.js';
import { parseSerialOutput } from '../../src/parse/index.js';
import { lines, parse, recorded } from './helpers.js';

const passed = (report: SerialReport) => report.tests.filter((t) => t.status === 'pass').map((t) => t.name);

describe('blog_os output', () => {
  it('names the test that was running when the output ended: `name...` without a verdict', () => {
    const report = parse(lines('Running 3 tests', 'basic_boot::test_println...\t[ok]', 'basic_boot::wait_forever...\t'));
    expect(report.inFlight).toBe('basic_boot::wait_forever');
    // The test in flight and the one never begun are not run; blog_os never names the latter.
    expect(report.tests.map((test) => [test.number, test.name, test.status])).toEqual([
      [1, 'basic_boot::test_println', 'pass'],
      [2, 'basic_boot::wait_forever', 'notrun'],
      [3, 'test 3', 'notrun'],
    ]);
    expect(report.tests[1]!.reason).toMatch(/^it was running when the kernel stopped/);
    expect(report.tests[2]!.reason).toMatch(/^announced by `Running N tests`, but the kernel stopped before it began/);
    // A harness = false test prints only its own name: that is blog_os output too.
    expect(parse(lines('stack_overflow::stack_overflow...\t'))).toMatchObject({
      format: 'blog_os',
      inFlight: 'stack_overflow::stack_overflow',
      tests: [{ name: 'stack_overflow::stack_overflow', status: 'notrun' }],
    });
  });

  it('has no test in flight once every started test has its verdict, and takes no prose for a test', () => {
    expect(parse(lines('Running 1 tests', 'a::one...\t[ok]')).inFlight).toBeUndefined();
    expect(parse(lines('Loading...'))).toMatchObject({ format: 'none', tests: [] });
    expect(parse(lines('Loading...')).inFlight).toBeUndefined();
    // In KTAP output such a line is no blog_os line that would mix the formats.
    expect(parse(lines('KTAP version 1', '1..1', 'setup::heap...', 'ok 1 a')).problems).toEqual([]);
  });

  it('reads `Running N tests` and `name...\\t[ok]`, with a tab or spaces', () => {
    const report = parse(lines('Running 3 tests', 'a::one...\t[ok]', 'a::two... [ok]', 'a::three...[ok]'));
    expect(report).toEqual({
      format: 'blog_os',
      plannedTests: 3,
      problems: [],
      tests: ['a::one', 'a::two', 'a::three'].map((name, i) => ({
        number: i + 1,
        name,
        status: 'pass',
        diagnostics: [],
        subtests: [],
        serialLines: i === 0 ? { first: 1, last: 2 } : { first: i + 2, last: i + 2 },
      })),
    });
  });

  it('gives a failed test the panic printed after it, up to a blank line', () => {
    const report = parse(
      lines('Running 2 tests', 't::a...\t[failed]', '', 'Error: panicked at src/a.rs:3:9:', 'boom', '  detail', '', 'trailing chatter'),
    );
    expect(report.tests[0]).toEqual({
      number: 1,
      name: 't::a',
      status: 'fail',
      reason: 'panicked at src/a.rs:3:9: boom',
      panic: { file: 'src/a.rs', line: 3, column: 9, message: 'boom\n  detail' },
      diagnostics: [],
      subtests: [],
      serialLines: { first: 1, last: 2 },
    });
    expect(report.panic).toBeUndefined();
    expect(report.problems).toEqual(['at end of output: 2 tests announced but 1 reported']);
  });

  it('ends a panic message at the next test line', () => {
    const report = parse(lines('t::a...\t[failed]', 'Error: panicked at src/a.rs:3:9:', 'boom', 't::b...\t[ok]'));
    expect(report.tests[0]?.panic?.message).toBe('boom');
    expect(report.problems).toEqual(['line 4: result for t::b after the kernel panicked']);
  });

  it("reads should_panic's `[test did not panic]` as a failure", () => {
    const [test] = parse(lines('should_panic::should_fail...\t[test did not panic]')).tests;
    expect(test).toMatchObject({ status: 'fail', reason: 'test did not panic' });
  });

  it('reports a panic outside any test as the kernel panic', () => {
    const report = parse(lines('Running 1 tests', 'Error: panicked at src/main.rs:20:5:', 'no heap'));
    expect(report.panic).toEqual({ file: 'src/main.rs', line: 20, column: 5, message: 'no heap' });
    expect(report.tests.map((test) => [test.name, test.status])).toEqual([['test 1', 'notrun']]);
  });

  it('starts a new run at each `Running N tests`, adding up the plans', () => {
    const report = parse(lines('Running 1 tests', 'a...\t[failed]', 'Error: panicked at a.rs:1:1:', '', 'Running 1 tests', 'b...\t[ok]'));
    expect(report.plannedTests).toBe(2);
    expect(report.problems).toEqual([]);
  });

  describe('recorded serial captures (fixtures/recorded/blog_os/serial)', () => {
    it.each([
      ['basic_boot', 1, ['basic_boot::test_println']],
      ['heap_allocation', 4, ['large_vec', 'many_boxes', 'many_boxes_long_lived', 'simple_allocation'].map((t) => `heap_allocation::${t}`)],
      ['should_panic', undefined, ['should_panic::should_fail']],
      ['stack_overflow', undefined, ['stack_overflow::stack_overflow']],
    ])('%s passes', (name, planned, tests) => {
      const report = parseSerialOutput(recorded(`blog_os/serial/${name}.pass.serial`));
      expect(report.format).toBe('blog_os');
      expect(report.plannedTests).toBe(planned);
      expect(passed(report)).toEqual(tests);
      expect(report.tests).toHaveLength(tests.length);
      expect(report.panic).toBeUndefined();
      expect(report.problems).toEqual([]);
    });

    it('heap_allocation fails simple_allocation with its panic', () => {
      const report = parseSerialOutput(recorded('blog_os/serial/heap_allocation.fail.serial'));
      expect(report.plannedTests).toBe(4);
      expect(report.problems).toEqual([]);
      expect(report.panic).toBeUndefined();
      expect(passed(report)).toHaveLength(3);
      const failed = report.tests[3];
      expect(failed).toMatchObject({ number: 4, name: 'heap_allocation::simple_allocation', status: 'fail' });
      expect(failed?.panic).toMatchObject({ file: 'tests/heap_allocation.rs', line: 36, column: 5 });
      expect(failed?.panic?.message).toMatch(/^assertion `left == right` failed/);
      expect(failed?.panic?.message).toBe('assertion `left == right` failed\n  left: 13\n right: 14');
      expect(failed?.reason).toBe('panicked at tests/heap_allocation.rs:36:5: assertion `left == right` failed');
    });
  });

  describe('recorded console logs: test lines among cargo lines', () => {
    it('finds all 12 tests of the passing cargo test', () => {
      const report = parseSerialOutput(recorded('blog_os/cargo-test-pass.console.txt'));
      expect(report.format).toBe('blog_os');
      expect(report.tests).toHaveLength(12);
      expect(report.tests.every((t) => t.status === 'pass')).toBe(true);
      expect(report.tests.map((t) => t.number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // should_panic and stack_overflow print no `Running` line.
      expect(report.plannedTests).toBe(10);
      expect(report.problems).toEqual([]);
    });

    it('finds the failure and its panic in the failing cargo test', () => {
      const report = parseSerialOutput(recorded('blog_os/cargo-test-fail.console.txt'));
      expect(report.tests).toHaveLength(10);
      const failed = report.tests.filter((t) => t.status === 'fail');
      expect(failed.map((t) => t.name)).toEqual(['heap_allocation::simple_allocation']);
      expect(failed[0]?.panic).toEqual({
        file: 'tests/heap_allocation.rs',
        line: 36,
        column: 5,
        message: 'assertion `left == right` failed\n  left: 13\n right: 14',
      });
      expect(report.problems).toEqual([]);
    });

    it('reads bootimage runner called directly', () => {
      const report = parseSerialOutput(recorded('blog_os/bootimage-runner.console.txt'));
      expect(passed(report)).toEqual(['basic_boot::test_println', 'should_panic::should_fail']);
    });

    it('gives the same report with LF endings as with CR LF', () => {
      const crlf = recorded('blog_os/serial/heap_allocation.fail.serial');
      expect(crlf.includes('\r\n')).toBe(true);
      const lf = crlf.toString('latin1').replaceAll('\r\n', '\n');
      expect(parseSerialOutput(lf)).toEqual(parseSerialOutput(crlf));
    });
  });
});
