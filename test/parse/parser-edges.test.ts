// The parser's rarer paths, each with the verdict or the words a user sees: found by mutation
// testing (`npm run mutate`), where a changed line of the parser passed every other test.
import { describe, expect, it } from 'vitest';
import { SerialParser } from '../../src/parse/serial.js';
import { allTests, lines, parse, shape } from './helpers.js';

describe('nesting', () => {
  it('fails a parent whose subtest document planned tests but reported none, listing them as not run', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..2'));
    expect(shape(report.tests)).toEqual([['test 1', 'fail', [['test 1', 'notrun', []], ['test 2', 'notrun', []]]]]);
    expect(report.tests[0]?.reason).toBe('the kernel printed no result line for these subtests');
    expect(report.problems).toEqual(['at end of output: subtests at depth 1 have no parent result line']);
  });

  it('ignores a subtest header the output ended right after: nothing was planned or reported', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a', '  KTAP version 1', '  # a stray line'));
    expect(shape(report.tests)).toEqual([['a', 'pass', []]]);
    expect(report.problems).toEqual([]);
  });

  it('fails a nested document that starts again before its parent\'s result line', () => {
    const report = parse(lines('KTAP version 1', '1..2', '  KTAP version 1', '  1..1', '  ok 1 a', '  KTAP version 1', '  1..1', '  ok 1 b', 'ok 2 second'));
    expect(shape(report.tests)).toEqual([['test 1', 'fail', [['a', 'pass', []]]], ['second', 'pass', [['b', 'pass', []]]]]);
    expect(report.problems).toEqual(['line 6: subtests at depth 1 have no parent result line']);
  });

  it('says a subtest document planned fewer tests than it reported', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  ok 1 a', '  ok 2 b', 'ok 1 p'));
    expect(report.problems).toEqual(['line 7: planned 1 tests in a subtest but got 2']);
  });

  it('names every failed and not run subtest in the parent\'s reason, and keeps a panic printed before the parent\'s line', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..4', '  not ok 1 a', '  not ok 2 b', '  ok 3 c', '# panicked at src/lib.rs:3:4:', '# late', 'not ok 1 p # XFAIL known'));
    expect(report.tests[0]).toMatchObject({
      status: 'fail',
      reason: 'reported an expected failure, but subtests failed: 1 a, 2 b; not run: 4 test 4',
      panic: { file: 'src/lib.rs', line: 3, column: 4, message: 'late' },
    });
  });

  it('keeps a bare "#" and a line of output inside a kselftest block, and reads "#x" as the parent\'s diagnostic', () => {
    const report = parse(lines('TAP version 13', '1..2', '# TAP version 13', '# 1..2', '# ok 1 a', '#', '#x chatter', 'x y', '# ok 2 b', 'ok 1 first', 'ok 2 second'));
    expect(shape(report.tests)).toEqual([['first', 'pass', [['a', 'pass', []], ['b', 'pass', []]]], ['second', 'pass', []]]);
    expect(report.tests[0]?.diagnostics).toEqual(['x chatter']);
    expect(report.tests[0]?.subtests[1]?.output).toEqual(['x y']);
    expect(report.problems).toEqual([]);
  });

  it('reads a subtest\'s directives by its own document, and its parent\'s by the parent\'s', () => {
    const report = parse(lines('TAP version 14', '1..1', '    KTAP version 1', '    1..2', '    not ok 1 a # XFAIL known', '    not ok 2 b # TODO later', 'not ok 1 p # TODO later'));
    expect(shape(report.tests)).toEqual([['p', 'fail', [['a', 'xfail', []], ['b', 'fail', []]]]]);
    expect(report.tests[0]?.reason).toBe('reported an expected failure, but subtests failed: 2 b');
  });

  it('reads a nested document without a version line by its parent\'s rules', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  1..1', '  not ok 1 a # XFAIL known', 'ok 1 p'));
    expect(shape(report.tests)).toEqual([['p', 'pass', [['a', 'xfail', []]]]]);
  });

  it('names tests by TAP 14 `# Subtest:` lines before their documents, at every depth', () => {
    const report = parse(lines('TAP version 14', '1..1', '# Subtest: outer', '    1..1', '    # Subtest: inner', '        1..1', '        ok 1 leaf', '    ok 1', 'ok 1'));
    expect(shape(report.tests)).toEqual([['outer', 'pass', [['inner', 'pass', [['leaf', 'pass', []]]]]]]);
  });

  it('takes a KTAP `# Subtest:` after results as the name of the next subtest, and only the first as the document\'s', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  # Subtest: suite', '  # Subtest: ignored', '  1..2', '  ok 1 a', '  # Subtest: second', '    KTAP version 1', '    1..1', '    ok 1 leaf', '  ok 2', 'ok 1'));
    expect(shape(report.tests)).toEqual([['suite', 'pass', [['a', 'pass', []], ['second', 'pass', [['leaf', 'pass', []]]]]]]);
  });

  it('takes a KTAP `# Subtest:` after results in an unnamed document as the next subtest\'s name, not the document\'s', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..2', '  ok 1 a', '  # Subtest: second', '    KTAP version 1', '    1..1', '    ok 1 leaf', '  ok 2', 'ok 1'));
    expect(shape(report.tests)).toEqual([['test 1', 'pass', [['a', 'pass', []], ['second', 'pass', [['leaf', 'pass', []]]]]]]);
  });

  it('says subtests lost their parent even when the test limit dropped them all', () => {
    const report = parse(lines('KTAP version 1', 'ok 1 a', '  ok 1 s'), { maxTests: 1 });
    expect(report.problems).toEqual(['at end of output: subtests at depth 1 have no parent result line', 'at end of output: 2 more test results dropped (limit 1)']);
  });

  it('starts a new document after results or a plan without a version line', () => {
    const results = parse(lines('ok 1 a', 'KTAP version 1', '1..1', 'ok 1 b'));
    expect(results.tests.map((t) => `${t.number} ${t.name} ${t.status}`)).toEqual(['1 a pass', '1 b pass']);
    expect(results.problems).toEqual([]);
    const planned = parse(lines('1..2', 'KTAP version 1', '1..1', 'ok 1 b'));
    expect(planned.tests.map((t) => `${t.number} ${t.name} ${t.status}`)).toEqual(['1 test 1 notrun', '2 test 2 notrun', '1 b pass']);
    expect(planned.plannedTests).toBe(3);
  });

  it('keeps the stray diagnostics and output of a subtest header with the next result, counting what it dropped', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  # d1', '  # d2', '  # d3', '  KTAP version 1', '  # d4', '  out', 'ok 1 a'), { maxDiagnostics: 2 });
    expect(report.tests[0]?.diagnostics).toEqual(['d1', 'd2', '… 2 more diagnostic lines']);
    expect(report.tests[0]?.output).toEqual(['out']);
  });

  it('counts the lines it dropped of each test, and of subtests given to their parent', () => {
    const report = parse(lines('KTAP version 1', '1..2', '# a', '# b', 'x', 'y', 'ok 1 first', '# c', '# d', 'z', 'w', '  KTAP version 1', '  # e', '  # f', 'ok 2 second'), { maxDiagnostics: 1 });
    expect(report.tests.map((t) => [t.diagnostics, t.output])).toEqual([
      [['a', '… 1 more diagnostic lines'], ['x', '… 1 more output lines']],
      [['c', '… 3 more diagnostic lines'], ['z', '… 1 more output lines']],
    ]);
  });

  it('counts the lines it dropped of a test never reported', () => {
    const report = parse(lines('KTAP version 1', '1..1', '# a', '# b', '# c', 'x', 'y', 'z'), { maxDiagnostics: 1 });
    expect(report.tests[0]).toMatchObject({ status: 'notrun', diagnostics: ['a', '… 2 more diagnostic lines'], output: ['x', '… 2 more output lines'] });
  });
});

describe('result lines', () => {
  it('says a malformed not ok line counted as a failure, cut to 40 characters', () => {
    const report = parse(lines('KTAP version 1', 'ok 1 a', 'not ok', 'not okay', `not ok${'x'.repeat(50)}`, `not ok${'y'.repeat(39)}`));
    expect(report.tests.map((t) => `${t.number} ${t.name} ${t.status}`)).toEqual(['1 a pass', '2 test 2 fail', '3 ay fail', `4 ${'x'.repeat(50)} fail`, `5 ${'y'.repeat(39)} fail`]);
    expect(report.problems).toEqual([
      'line 3: a malformed result line "not ok" counted as a failure',
      'line 4: a malformed result line "not ok ay" counted as a failure',
      `line 5: a malformed result line "not ok ${'x'.repeat(39)}…" counted as a failure`,
      `line 6: a malformed result line "not ok ${'y'.repeat(39)}" counted as a failure`,
    ]);
  });

  it('names a result after a panic by its number when it has no name', () => {
    const report = parse(lines('1..3', '# panicked at a.rs:1:1:', 'not ok 1 a', 'ok 2', 'not ok'));
    expect(report.problems).toEqual([
      'line 4: result for test 2 after the kernel panicked',
      'line 5: a malformed result line "not ok" counted as a failure',
      'line 5: result for test after the kernel panicked',
    ]);
  });

  it('passes an expected failure that passed, in KTAP', () => {
    expect(parse(lines('KTAP version 1', '1..1', 'ok 1 a # XFAIL flaky')).tests[0]).toMatchObject({ status: 'pass' });
    expect(parse(lines('KTAP version 1', '1..1', 'ok 1 a # XFAIL flaky')).tests[0]?.reason).toBeUndefined();
  });

  it('takes the name before the directive without blanks, and TAP\'s "- " only at its start', () => {
    const names = parse(lines('TAP version 14', 'ok 1 spaced  # SKIP why', 'ok 2 -   dashed', 'ok 3 x - y', 'ok 4 -')).tests.map((t) => t.name);
    expect(names).toEqual(['spaced', 'dashed', 'x - y', 'test 4']);
  });

  it('keeps no blank line as output', () => {
    expect(parse(lines('KTAP version 1', '1..1', 'first', '', 'second', 'ok 1 a')).tests[0]?.output).toEqual(['first', 'second']);
  });

  it('reads heap figures however the blanks around them run', () => {
    const report = parse(lines('KTAP version 1', '1..1', '#  heap: used=1  peak=2\t', 'ok 1 a'));
    expect(report.tests[0]?.metrics).toEqual({ used: 1, peak: 2 });
  });
});

describe('panics', () => {
  it('keeps a panic\'s message lines out of the output of the test it fails', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'printed before', 'panicked at src/lib.rs:1:2:', 'message line', 'not ok 1 a'));
    expect(report.tests[0]).toMatchObject({ output: ['printed before'], panic: { message: 'message line' } });
  });

  it('ends a panic message at a line of blanks', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'panicked at src/lib.rs:1:2:', 'message', '   ', 'after', 'not ok 1 a'));
    expect(report.tests[0]).toMatchObject({ output: ['after'], panic: { message: 'message' } });
  });

  it('takes no message line for a location but the end of an old-style message, even on a line of its own', () => {
    const modern = parse(lines('KTAP version 1', '1..1', 'panicked at src/lib.rs:1:2:', 'note: src/other.rs:3:4', 'not ok 1 a'));
    expect(modern.tests[0]?.panic).toEqual({ file: 'src/lib.rs', line: 1, column: 2, message: 'note: src/other.rs:3:4' });
    const old = parse(lines('KTAP version 1', '1..1', "panicked at 'values differ", '  left: src/a.rs:1:2', "', src/lib.rs:5:6", 'not ok 1 a'));
    expect(old.tests[0]?.panic).toEqual({ file: 'src/lib.rs', line: 5, column: 6, message: 'values differ\n  left: src/a.rs:1:2\n' });
  });

  it('keeps a "# " that begins a message line of a panic not printed as a diagnostic', () => {
    const report = parse(lines('Running 1 tests', 'a::b...\t[failed]', '', 'Error: panicked at src/main.rs:5:5:', '# of items: 3'));
    expect(report.tests[0]?.panic?.message).toBe('# of items: 3');
  });

  it('gives a panic after a passed blog_os test to the kernel, never to that test', () => {
    const report = parse(lines('Running 1 tests', 'a::b...\t[ok]', 'panicked at src/lib.rs:1:2:', 'boom'));
    expect(report.tests[0]).toEqual({ number: 1, name: 'a::b', status: 'pass', diagnostics: [], subtests: [], serialLines: { first: 1, last: 2 } });
    expect(report.panic).toEqual({ file: 'src/lib.rs', line: 1, column: 2, message: 'boom' });
  });

  it('leaves a panic before a new top-level document to the kernel, and checks the new document afresh', () => {
    const report = parse(lines('KTAP version 1', '1..1', '# panicked at a.rs:1:1:', '# boom', 'KTAP version 1', '1..1', 'ok 1 b'));
    expect(report.panic?.message).toBe('boom');
    expect(report.tests.map((t) => [t.name, t.status])).toEqual([['test 1', 'notrun'], ['b', 'pass']]);
    expect(report.problems).toEqual([]);
  });

  it('reports results after a panic in a nested document too: only a top-level version line starts afresh', () => {
    const report = parse(lines('KTAP version 1', '1..2', '# panicked at a.rs:1:1:', 'not ok 1 a', '  KTAP version 1', '  1..1', '  ok 1 s', 'ok 2 b'));
    expect(report.problems).toEqual(['line 7: result for s after the kernel panicked', 'line 8: result for b after the kernel panicked']);
  });
});

describe('formats', () => {
  it('says once that KTAP lines in blog_os output were ignored', () => {
    const report = parse(lines('Running 1 tests', 'a::b...\t[ok]', 'not ok 1 c', 'KTAP version 1'));
    expect(report.format).toBe('blog_os');
    expect(report.problems).toEqual(['line 3: KTAP lines in blog_os output ignored']);
  });

  it('finds no log prefix in blog_os output', () => {
    const report = parse(lines('Running 1 tests', 'log: KTAP version 1', 'a::b...\t[ok]'));
    expect(report.problems).toEqual([]);
    expect(report.tests.map((t) => [t.name, t.status])).toEqual([['a::b', 'pass']]);
  });

  it('never takes the runner\'s handshake lines for a test\'s diagnostics, indented or not', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  # alloc-runner: screen ready', '  # alloc-runner: handshake answered', 'ok 1 a'));
    expect(report.tests[0]?.diagnostics).toEqual([]);
  });

  it('keeps no test under a limit of 0, and says a limit below 0 is refused', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a'), { maxTests: 0 });
    expect(allTests(report.tests)).toEqual([]);
    expect(report.problems).toEqual(['at end of output: 1 more test results dropped (limit 0)']);
    expect(() => new SerialParser({ maxDepth: -1 })).toThrow('maxDepth must be a non-negative integer, not -1');
  });
});

describe('prefixes', () => {
  it('takes a line that is the prefix alone, its trailing blank trimmed, for a blank line', () => {
    const report = parse(lines('[    0.05] KTAP version 1', '[    0.06] 1..1', '[    0.07]', '[    0.08] printed', '[  100.09] ok 1 a'));
    expect(report.tests[0]).toMatchObject({ status: 'pass', output: ['printed'] });
  });

  it('keeps a line without the indentation of a document indented as a whole, digits and all', () => {
    const report = parse(lines('    KTAP version 1', '    1..2', '1234 bytes free', '    ok 1 a', 'not ok 2 b'));
    expect(report.tests.map((t) => [t.name, t.status, t.output])).toEqual([['a', 'pass', ['1234 bytes free']], ['b', 'fail', undefined]]);
  });
});

describe('blog_os lines', () => {
  it('reads them however indented, and a failed test without a panic has no reason', () => {
    const report = parse(lines('  Running 3 tests', '  a::b...\t[failed]', '\tc::d  ... [ok]'));
    expect(report.plannedTests).toBe(3);
    expect(report.tests).toEqual([
      { number: 1, name: 'a::b', status: 'fail', diagnostics: [], subtests: [], serialLines: { first: 1, last: 2 } },
      { number: 2, name: 'c::d', status: 'pass', diagnostics: [], subtests: [], serialLines: { first: 3, last: 3 } },
      { number: 3, name: 'test 3', status: 'notrun', reason: expect.stringMatching(/^announced by `Running N tests`/), diagnostics: [], subtests: [] },
    ]);
  });

  it('never takes a KTAP diagnostic for one', () => {
    const report = parse(lines('KTAP version 1', '1..1', '# Running 3 tests', '# a::b...\t[ok]', 'ok 1 a'));
    expect(report.problems).toEqual([]);
    expect(report.tests[0]?.diagnostics).toEqual(['Running 3 tests', 'a::b...\t[ok]']);
  });

  it('keeps at most maxTests of them', () => {
    const report = parse(lines('Running 2 tests', 'a::b...\t[ok]', 'c::d...\t[ok]'), { maxTests: 1 });
    expect(report.tests.map((t) => t.name)).toEqual(['a::b']);
    expect(report.problems).toEqual(['at end of output: 1 more test results dropped (limit 1)']);
  });
});

// The line patterns (module-level regular expressions: Stryker's static mutants, run with MUTATE_STATIC=1).
describe('structured lines, and only those', () => {
  it('reads a plan with a comment, results with any blanks, and a subtest name however spaced', () => {
    const report = parse(lines('KTAP version 1', '1..4  # four tests', 'ok  1 a', 'ok\t2\tb', '  KTAP version 1', '  #Subtest:named', '  1..1', '  ok 1 x', 'ok 3', '# Subtest:   spaced', '  1..1', '  ok 1 y', 'ok 4'));
    expect(report.plannedTests).toBe(4);
    expect(report.problems).toEqual([]);
    expect(report.tests.map((t) => t.name)).toEqual(['a', 'b', 'named', 'spaced']);
    expect(parse(lines('KTAP version 1', '1..1 # skip: all of it', 'ok 1 a')).plannedTests).toBe(1);
  });

  it('takes a line that only begins like a version, plan or result for output', () => {
    const nearMisses = ['KTAP version 1 follows', '1..2 more to come', 'blocks 1..5', 'ok 1a', 'it was not ok 2 days ago', 'notes #TAP version 13'];
    const report = parse(lines('KTAP version 1', '1..1', ...nearMisses, '# see # Subtest: x', 'ok 1 a'));
    expect(report.problems).toEqual([]);
    expect(report.plannedTests).toBe(1);
    expect(report.tests).toMatchObject([{ name: 'a', status: 'pass', output: nearMisses, diagnostics: ['see # Subtest: x'] }]);
  });

  it('reads a directive only at the start of the text after the "#"', () => {
    const report = parse(lines('KTAP version 1', '1..2', 'not ok 1 a # see the SKIP list', 'ok 2 b # TODO: XFAIL later'));
    expect(report.tests.map((t) => [t.status, t.reason])).toEqual([['fail', 'see the SKIP list'], ['pass', undefined]]);
  });

  it('reads heap figures only from a line that is one', () => {
    expect(parse(lines('KTAP version 1', '1..1', '# note heap: used=1', 'ok 1 a')).tests[0]?.metrics).toBeUndefined();
  });

  it('opens a kselftest block with or without a blank after the "#", and never for a longer line', () => {
    const report = parse(lines('TAP version 13', '1..2', '#TAP version 13', '# 1..1', '# ok 1 a', 'ok 1 first', '# TAP version 13 of the tools', 'ok 2 second'));
    expect(shape(report.tests)).toEqual([['first', 'pass', [['a', 'pass', []]]], ['second', 'pass', []]]);
    expect(report.tests[1]?.diagnostics).toEqual(['TAP version 13 of the tools']);
  });

  it('finds the log prefix only on a line that ends in a version', () => {
    const report = parse(lines('boot: KTAP version 1 output follows', '[  1.0] KTAP version 1', '[  1.0] 1..1', '[  1.2] ok 1 a'));
    expect(report.problems).toEqual([]);
    expect(report.tests.map((t) => [t.name, t.status])).toEqual([['a', 'pass']]);
  });
});

describe('panic lines, and only those', () => {
  const panicOf = (...text: string[]) => parse(lines('KTAP version 1', '1..1', ...text, 'not ok 1 a')).tests[0]?.panic;

  it('reads a location with any number of digits, with or without the colon after it, an apostrophe in the message', () => {
    expect(panicOf("panicked at src/lib.rs:12:15: it's broken")).toEqual({ file: 'src/lib.rs', line: 12, column: 15, message: "it's broken" });
    expect(panicOf('panicked at src/lib.rs:3:4', 'message')).toEqual({ file: 'src/lib.rs', line: 3, column: 4, message: 'message' });
    expect(panicOf("panicked at 'boom', src/main.rs:10:25")).toEqual({ file: 'src/main.rs', line: 10, column: 25, message: 'boom' });
    expect(panicOf('#panicked at src/lib.rs:1:2:', '# m')).toEqual({ file: 'src/lib.rs', line: 1, column: 2, message: 'm' });
  });

  it('takes no line that only begins like a panic for one', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'panicked at src/lib.rs:1:2 and then some', 'not ok 1 a'));
    expect(report.tests[0]).toMatchObject({ output: ['panicked at src/lib.rs:1:2 and then some'] });
    expect(report.tests[0]?.panic).toBeUndefined();
  });

  it('strips the "# " of an indented KTAP panic\'s lines, a bare "#" too, and no "#" within a line', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  # panicked at src/lib.rs:1:2:', '  # first', '  #', '  value # 3', '  not ok 1 s', 'not ok 1 p'));
    expect(report.tests[0]?.subtests[0]?.panic?.message).toBe('first\n\n  value # 3');
  });
});

describe('blog_os lines, and only those', () => {
  it('reads `Running 1 test` and `Running 12 tests`, and no line that only contains such words', () => {
    expect(parse(lines('Running 1 test', 'a::b...\t[ok]')).plannedTests).toBe(1);
    expect(parse(lines('Running 12 tests', 'a::b...\t[ok]')).plannedTests).toBe(12);
    const prose = parse(lines('Running 2 tests', 'a::b...\t[ok]', 'c::d...\t[ok]', 'Not Running 3 tests', 'Running 3 tests took 2 s', 'waiting for e::f...', 'g::h... then more', 'i::j...\t[ok] twice'));
    expect(prose.plannedTests).toBe(2);
    expect(prose.tests.map((t) => t.name)).toEqual(['a::b', 'c::d']);
    expect(prose.inFlight).toBeUndefined();
  });
});
