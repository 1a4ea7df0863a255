import { describe, expect, it } from 'vitest';
import { allTests, lines, parse, shape } from './helpers.js';

describe('KTAP and TAP', () => {
  it('parses the example of the README, "What a kernel speaks"', () => {
    const report = parse(
      lines(
        'KTAP version 1',
        '1..3',
        '# heap: used=16 peak=4096 live=1 total=12 failed=0',
        'ok 1 box_allocation',
        'not ok 2 long_lived_exhaustion # XFAIL a bump heap reuses nothing while a block lives',
        '# panicked at tests/heap.rs:36:5:',
        '# assertion `left == right` failed',
        'not ok 3 vec_sum',
      ),
    );
    expect(report).toEqual({
      format: 'ktap',
      plannedTests: 3,
      problems: [],
      tests: [
        {
          number: 1,
          name: 'box_allocation',
          status: 'pass',
          diagnostics: ['heap: used=16 peak=4096 live=1 total=12 failed=0'],
          metrics: { used: 16, peak: 4096, live: 1, total: 12, failed: 0 },
          subtests: [],
          serialLines: { first: 1, last: 4 },
        },
        {
          number: 2,
          name: 'long_lived_exhaustion',
          status: 'xfail',
          reason: 'a bump heap reuses nothing while a block lives',
          diagnostics: [],
          subtests: [],
          serialLines: { first: 5, last: 5 },
        },
        {
          number: 3,
          name: 'vec_sum',
          status: 'fail',
          reason: 'panicked at tests/heap.rs:36:5: assertion `left == right` failed',
          panic: { file: 'tests/heap.rs', line: 36, column: 5, message: 'assertion `left == right` failed' },
          diagnostics: [],
          subtests: [],
          serialLines: { first: 6, last: 8 },
        },
      ],
    });
  });

  it.each(['KTAP version 1', 'TAP version 13', 'TAP version 14'])('accepts the version line %s', (version) => {
    const report = parse(lines(version, '1..1', 'ok 1 a'));
    expect(report.format).toBe('ktap');
    expect(report.problems).toEqual([]);
  });

  it('reports an unknown version but still parses', () => {
    const report = parse(lines('KTAP version 2', '1..1', 'ok 1 a'));
    expect(report.tests).toHaveLength(1);
    expect(report.problems).toEqual(['line 1: unsupported version line "KTAP version 2"']);
  });

  it('accepts the plan at the end (TAP) and results without a version line', () => {
    const report = parse(lines('ok 1 - first', 'ok 2 - second', '1..2'));
    expect(report.format).toBe('ktap');
    expect(report.plannedTests).toBe(2);
    expect(report.tests.map((t) => t.name)).toEqual(['first', 'second']);
    expect(report.problems).toEqual([]);
  });

  it('lists the planned tests that never came as not run', () => {
    const report = parse(lines('KTAP version 1', '1..3', 'ok 1 a', 'ok 2 b'));
    expect(report.problems).toEqual([]);
    expect(report.tests.at(-1)).toEqual({
      number: 3,
      name: 'test 3',
      status: 'notrun',
      reason: 'planned, but the kernel never reported it',
      diagnostics: [],
      subtests: [],
    });
  });

  it('reports more results than planned', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a', 'ok 2 b'));
    expect(report.problems).toEqual(['at end of output: planned 1 tests but got 2']);
  });

  it('reports a second plan', () => {
    expect(parse(lines('1..1', '1..2', 'ok 1 a')).problems).toEqual(['line 2: a second plan 1..2 after 1..1']);
  });

  describe('directives', () => {
    const statusOf = (line: string) => {
      const [test] = parse(lines('KTAP version 1', '1..1', line)).tests;
      return { status: test?.status, reason: test?.reason };
    };

    it.each([
      ['ok 1 a # SKIP no hardware', 'skip', 'no hardware'],
      ['not ok 1 a # SKIP no hardware', 'skip', 'no hardware'],
      ['ok 1 a # skip', 'skip', undefined],
      ['ok 1 a # SKIPPED: later', 'skip', 'later'],
      ['not ok 1 a # TODO not written', 'fail', 'TODO not written'],
      ['not ok 1 a # XFAIL bump allocators leak', 'xfail', 'bump allocators leak'],
      ['ok 1 a # TODO not written', 'pass', undefined],
      ['not ok 1 a # out of memory', 'fail', 'out of memory'],
      ['ok 1 a # a comment', 'pass', undefined],
      ['not ok 1 a', 'fail', undefined],
    ])('%s → %s', (line, status, reason) => {
      expect(statusOf(line)).toEqual({ status, reason });
    });

    it('takes a # inside a word as part of the name', () => {
      expect(parse(lines('ok 1 c#_test')).tests[0]?.name).toBe('c#_test');
    });

    it('handles a directive without a name', () => {
      const [test] = parse(lines('ok 1 # SKIP why')).tests;
      expect(test).toMatchObject({ name: 'test 1', status: 'skip', reason: 'why' });
    });
  });

  it('names a test without a name `test N`', () => {
    expect(parse(lines('1..2', 'ok 1', 'not ok 2 ')).tests.map((t) => t.name)).toEqual(['test 1', 'test 2']);
  });

  it('ignores diagnostics before the first KTAP line', () => {
    expect(parse(lines('# before', 'KTAP version 1', 'ok 1 a')).tests[0]?.diagnostics).toEqual([]);
  });

  it('gives diagnostics to the next result and drops trailing ones', () => {
    const report = parse(lines('KTAP version 1', '1..2', '# one', '#', '#two', 'ok 1 a', 'ok 2 b', '# totals'));
    expect(report.tests.map((t) => t.diagnostics)).toEqual([['one', '', 'two'], []]);
  });

  it('ignores the runner handshake line and other chatter', () => {
    const report = parse(
      lines('KTAP version 1', '1..1', 'Booting...', '# alloc-runner: screen ready', '# real', 'ok 1 a', '# alloc-runner: screen ready'),
    );
    expect(report.tests[0]?.diagnostics).toEqual(['real']);
    expect(report.problems).toEqual([]);
  });

  it('reports duplicate and out-of-order numbers but keeps the results', () => {
    const report = parse(lines('1..4', 'ok 1 a', 'ok 3 c', 'ok 2 b', 'ok 3 again'));
    expect(report.tests.map((t) => t.number)).toEqual([1, 3, 2, 3]);
    expect(report.problems).toEqual([
      'line 3: test 3 out of order (expected 2)',
      'line 4: test 2 out of order (expected 4)',
      'line 5: duplicate test number 3',
    ]);
  });

  it('renumbers a test whose number is not a safe integer', () => {
    const report = parse(lines('ok 1 a', 'ok 99999999999999999999 b'));
    expect(report.tests.map((t) => t.number)).toEqual([1, 2]);
    expect(report.problems).toEqual(['line 2: test number 100000000000000000000 is too large; numbered 2 instead']);
  });

  describe('nested subtests', () => {
    it('gives an indented document to the next result line one level out', () => {
      const report = parse(
        lines(
          'KTAP version 1',
          '1..2',
          '    KTAP version 1',
          '    # Subtest: example',
          '    1..2',
          '    # inner diagnostic',
          '    ok 1 example_simple_test',
          '    not ok 2 example_failing_test # out of memory',
          '    # example: pass:1 fail:1',
          '# example failed',
          'not ok 1 example',
          '\tKTAP version 1',
          '\t1..1',
          '\t\tKTAP version 1',
          '\t\t1..1',
          '\t\tok 1 deepest',
          '\tok 1 middle',
          'ok 2 outer',
        ),
      );
      expect(report.problems).toEqual([]);
      const [example, outer] = report.tests;
      expect(example).toMatchObject({
        number: 1,
        name: 'example',
        status: 'fail',
        diagnostics: ['example failed', 'example: pass:1 fail:1'],
      });
      expect(example?.subtests).toEqual([
        { number: 1, name: 'example_simple_test', status: 'pass', diagnostics: ['inner diagnostic'], subtests: [], serialLines: { first: 3, last: 7 } },
        { number: 2, name: 'example_failing_test', status: 'fail', reason: 'out of memory', diagnostics: [], subtests: [], serialLines: { first: 8, last: 8 } },
      ]);
      expect(outer?.subtests[0]?.name).toBe('middle');
      expect(outer?.subtests[0]?.subtests[0]?.name).toBe('deepest');
    });

    it('accepts TAP 14 subtests without a version line', () => {
      const report = parse(lines('TAP version 14', '1..1', '# Subtest: group', '    ok 1 - a', '    1..1', 'ok 1 - group'));
      expect(report.problems).toEqual([]);
      expect(report.tests[0]?.subtests.map((t) => t.name)).toEqual(['a']);
    });

    it('fails a parent whose subtest document stopped short of its plan', () => {
      const report = parse(lines('1..1', '    1..2', '    ok 1 a', 'ok 1 group'));
      expect(report.problems).toEqual([]);
      expect(report.tests[0]).toMatchObject({ status: 'fail', reason: 'reported ok, but subtests not run: 2 test 2' });
      expect(report.tests[0]?.subtests.map((test) => test.status)).toEqual(['pass', 'notrun']);
    });

    it('turns subtests whose parent line never comes into a failed parent', () => {
      const report = parse(lines('KTAP version 1', '1..1', '    # Subtest: crashed_suite', '    KTAP version 1', '    1..2', '    ok 1 a'));
      expect(report.tests).toEqual([
        {
          number: 1,
          name: 'crashed_suite',
          status: 'fail',
          reason: 'the kernel printed no result line for these subtests',
          diagnostics: [],
          subtests: [
            { number: 1, name: 'a', status: 'pass', diagnostics: [], subtests: [], serialLines: { first: 4, last: 6 } },
            { number: 2, name: 'test 2', status: 'notrun', reason: 'planned, but the kernel never reported it', diagnostics: [], subtests: [] },
          ],
          serialLines: { first: 1, last: 6 },
        },
      ]);
      expect(report.problems).toEqual(['at end of output: subtests at depth 1 have no parent result line']);
    });

    it('ignores lines nested deeper than the limit', () => {
      const report = parse(lines('1..1', '  1..1', '    1..1', '      ok 1 deep', '    ok 1 b', '  ok 1 c', 'ok 1 a'), { maxDepth: 2 });
      expect(allTests(report.tests).map((test) => test.name)).toEqual(['a', 'c', 'b']);
      expect(report.problems).toEqual(['line 4: nesting deeper than 2 levels ignored']);
    });
  });

  it('starts numbering again for a second top-level document', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a', 'KTAP version 1', '1..2', 'ok 1 b', 'ok 2 c'));
    expect(report.plannedTests).toBe(3);
    expect(report.tests.map((t) => `${t.number} ${t.name}`)).toEqual(['1 a', '1 b', '2 c']);
    expect(report.problems).toEqual([]);
  });

  it('reports results after a panic', () => {
    const report = parse(lines('1..3', '# panicked at src/lib.rs:1:2:', '# boom', 'not ok 1 a', 'ok 2 b', 'ok 3 c'));
    expect(report.tests[0]?.panic?.message).toBe('boom');
    expect(report.problems).toEqual(['line 5: result for b after the kernel panicked', 'line 6: result for c after the kernel panicked']);
  });

  it('does not count the parent of a panicked subtest as a result after the panic', () => {
    const report = parse(lines('1..1', '    1..1', '    # panicked at a.rs:1:1: x', '    not ok 1 inner', 'not ok 1 outer'));
    expect(report.problems).toEqual([]);
    expect(report.tests[0]?.subtests[0]?.panic?.file).toBe('a.rs');
  });
});

describe('limits', () => {
  it('keeps at most maxTests results, counting subtests, and says how many it dropped', () => {
    const report = parse(lines('    ok 1 a', '    ok 2 b', 'ok 1 group', 'ok 2 c', 'ok 3 d'), { maxTests: 3 });
    expect(allTests(report.tests)).toHaveLength(3);
    expect(report.problems).toEqual(['at end of output: 2 more test results dropped (limit 3)']);
  });

  it('keeps at most maxDiagnostics lines per test', () => {
    const report = parse(lines('1..1', '# 1', '# 2', '# 3', '# 4', 'ok 1 a'), { maxDiagnostics: 2 });
    expect(report.tests[0]?.diagnostics).toEqual(['1', '2', '… 2 more diagnostic lines']);
  });

  it('keeps at most maxProblems problems', () => {
    const report = parse(lines('ok 1 a', 'ok 1 a', 'ok 1 a', 'ok 1 a'), { maxProblems: 2 });
    expect(report.problems).toEqual(['line 2: duplicate test number 1', 'line 3: duplicate test number 1', '… 1 more problems']);
  });

  it('keeps the report bounded over 100,000 lines of every kind', async () => {
    const { SerialParser } = await import('../../src/parse/serial.js');
    const parser = new SerialParser();
    for (let i = 1; i <= 20_000; i += 1) {
      parser.push(`# diagnostic ${i}`);
      parser.push(`ok ${i % 7} dup`);
      parser.push(`    ok ${i} sub`);
      parser.push('chatter');
    }
    parser.push('panicked at a.rs:1:1:');
    for (let i = 1; i <= 20_000; i += 1) parser.push('message line');
    const report = parser.finish();
    // One stored subtest is lost with its parent, the result that crossed the limit.
    expect(allTests(report.tests).length).toBe(9_999);
    expect(report.panic?.message.split('\n')).toHaveLength(101);
    expect(report.problems).toHaveLength(101);
    expect(report.problems.at(-1)).toMatch(/^… \d+ more problems$/);
  });

  it('rejects a limit that is not a non-negative integer', async () => {
    const { SerialParser } = await import('../../src/parse/serial.js');
    expect(() => new SerialParser({ maxTests: -1 })).toThrow(RangeError);
    expect(() => new SerialParser({ maxDiagnostics: Number.NaN })).toThrow(RangeError);
  });
});

describe('SerialParser API', () => {
  it('returns the same report from a second finish() and ignores lines after it', async () => {
    const { SerialParser } = await import('../../src/parse/serial.js');
    const parser = new SerialParser();
    parser.push('ok 1 a');
    const report = parser.finish();
    parser.push('ok 2 b');
    expect(parser.finish()).toBe(report);
    expect(report.tests).toHaveLength(1);
  });
});

describe('format detection', () => {
  it("is 'none' without any structured line", () => {
    expect(parse(lines('Booting kernel', '# just a comment', 'ok', 'all ok 1 day'))).toEqual({
      format: 'none',
      tests: [],
      problems: [],
    });
  });

  it('keeps to the first format seen and reports lines of the other once', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a', 'x...\t[ok]', 'y...\t[ok]'));
    expect(report.tests).toHaveLength(1);
    expect(report.problems).toEqual(['line 4: blog_os lines in ktap output ignored']);
  });
});

describe('the KTAP spec, line by line', () => {

  it('nests a document indented two spaces, relative to its version line', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..2', '  ok 1 a', '  ok 2 b', 'ok 1 suite'));
    expect(report.problems).toEqual([]);
    expect(shape(report.tests)).toEqual([['suite', 'pass', [['a', 'pass', []], ['b', 'pass', []]]]]);
  });

  it('reads a document indented as a whole as if it were not', () => {
    const report = parse(lines('   KTAP version 1', '   1..2', '     KTAP version 1', '     1..1', '     ok 1 a', '   ok 1 s', '   ok 2 t'));
    expect(report.problems).toEqual([]);
    expect(shape(report.tests)).toEqual([['s', 'pass', [['a', 'pass', []]]], ['t', 'pass', []]]);
  });

  it('strips the prefix of the version line from the lines after it, digits and all', () => {
    const report = parse(lines('[    0.001] boot', '[    0.002] KTAP version 1', '[    0.002] 1..2', '[    0.003] ok 1 a', '[  123.456] not ok 2 b'));
    expect(report.problems).toEqual([]);
    expect(shape(report.tests)).toEqual([['a', 'pass', []], ['b', 'fail', []]]);
  });

  it('keeps a line that lacks the prefix whole, so its not ok still counts', () => {
    const report = parse(lines('kernel: KTAP version 1', 'kernel: 1..2', 'kernel: ok 1 a', 'not ok 2 b'));
    expect(shape(report.tests)).toEqual([['a', 'pass', []], ['b', 'fail', []]]);
  });

  it('counts a not ok behind another prefix of the same length, where kunit cuts it', () => {
    // A log tag that names the level, a printk caller id that names another thread: kunit cuts
    // as many characters as the version line's prefix has and reads `not ok`; without a plan
    // nothing else would show the failure.
    const tagged = parse(lines('[INFO ] KTAP version 1', '[INFO ] ok 1 a', '[ERROR] not ok 2 b'));
    expect(shape(tagged.tests)).toEqual([['a', 'pass', []], ['b', 'fail', []]]);
    const caller = parse(lines('[    0.06][    T1] KTAP version 1', '[    0.06][    T1] 1..1', '[    0.06][    T1]     KTAP version 1', '[    0.06][    T1]     ok 1 x', '[    0.07][   T42]     not ok 2 y', '[    0.08][    T1] ok 1 suite'));
    expect(shape(caller.tests)).toEqual([['suite', 'fail', [['x', 'pass', []], ['y', 'fail', []]]]]);
    // Only a not ok is taken that way: any other line behind another prefix stays whole.
    const other = parse(lines('[INFO ] KTAP version 1', '[INFO ] 1..2', '[DEBUG] ok 1 a', '[INFO ] ok 2 b'));
    expect(shape(other.tests)).toEqual([['b', 'pass', []], ['test 1', 'notrun', []]]);
    expect(other.tests[0]?.output).toEqual(['[DEBUG] ok 1 a']);
  });

  it('reads a second document logged behind another prefix, and still the first prefix', () => {
    const report = parse(lines('KTAP version 1', '1..1', 'ok 1 a', '[    1.000] KTAP version 1', '[    1.000] 1..2', '[    1.001] not ok 1 b', 'ok 2 c'));
    expect(shape(report.tests)).toEqual([['a', 'pass', []], ['b', 'fail', []], ['c', 'pass', []]]);
    const both = parse(lines('kernel: KTAP version 1', 'kernel: 1..1', '[ 1.0] KTAP version 1', '[ 1.0] 1..1', '[ 1.0] ok 1 b', 'kernel: not ok 1 a'));
    expect(shape(both.tests)).toEqual([['test 1', 'notrun', []], ['b', 'pass', []], ['a', 'fail', []]]);
  });

  it('fails any line that begins with not ok, whatever follows', () => {
    for (const line of ['not ok 2 copy\r50%\r100% # checksum mismatch', 'not ok 2 \x1b[31mred\x1b[0m', 'not ok', 'not ok - no number']) {
      const report = parse(lines('KTAP version 1', 'ok 1 a', line));
      expect(report.tests.map((t) => t.status), JSON.stringify(line)).toEqual(['pass', 'fail']);
    }
    const bytes = Buffer.concat([Buffer.from('KTAP version 1\nnot ok 1 '), Buffer.from([0xff, 0xfe, 0x0d]), Buffer.from(' tail\n')]);
    expect(parse(bytes).tests[0]?.status).toBe('fail');
  });

  it('fails a not ok that only escape sequences, NULs or a progress line overwritten by \\r hide', () => {
    for (const line of ['\x1b[31mnot ok 2 b\x1b[0m', '\x00not ok 2 b', '\x1b[1m\x1b[31mnot ok 2 b', 'copying 50%\rnot ok 2 b', '50%\r\x1b[2Knot ok 2 b\r']) {
      const report = parse(lines('KTAP version 1', 'ok 1 a', line));
      expect(report.tests.map((t) => [t.name, t.status]), JSON.stringify(line)).toEqual([['a', 'pass'], ['b', 'fail']]);
    }
    // A coloured version line still starts the document.
    expect(parse(lines('\x1b[1mKTAP version 1\x1b[0m', '\x1b[32mok 1 a\x1b[0m')).tests.map((t) => [t.name, t.status])).toEqual([['a', 'pass']]);
    // An escape inside the name is kept, to be shown.
    expect(parse(lines('KTAP version 1', 'not ok 1 \x1b[31mred\x1b[0m')).tests[0]?.name).toBe('\x1b[31mred');
  });

  it('fails a bail out, and a `# not ok` whose block never said `# TAP version 13`', () => {
    const bailed = parse(lines('TAP version 13', 'ok 1 a', 'Bail out! no disk'));
    expect(bailed.problems).toEqual(['line 3: the kernel bailed out: "Bail out! no disk"']);
    expect(parse(lines('ok 1 a', 'bail out!')).problems).toEqual(['line 2: the kernel bailed out: "Bail out!"']);
    const hidden = parse(lines('TAP version 13', '1..1', '# selftests: x: y', '# 1..2', '# ok 1 a', '# not ok 2 b', 'ok 1 selftests: x: y'));
    expect(hidden.problems).toEqual(['line 6: a diagnostic line reports a failure: "# not ok 2 b"']);
    expect(parse(lines('KTAP version 1', '# not ok to retry: busy', 'ok 1 a')).problems).toEqual([]);
  });

  it('never lets a parent be better than its subtests', () => {
    const report = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  # Subtest: parent', '  1..2', '  ok 1 a', '  not ok 2 b', 'ok 1 parent'));
    expect(report.tests[0]).toMatchObject({ name: 'parent', status: 'fail', reason: 'reported ok, but subtests failed: 2 b' });
    const skipped = parse(lines('1..1', '  1..1', '  not ok 1 x', 'ok 1 p # SKIP why'));
    expect(skipped.tests[0]).toMatchObject({ status: 'fail', reason: 'reported skipped, but subtests failed: 1 x' });
  });

  it("fails a parent reported ok over a subtest document that ran no tests, as kunit's no tests run", () => {
    const empty = parse(lines('KTAP version 1', '1..2', '  KTAP version 1', '  # Subtest: suite', '  1..0', 'ok 1 suite', 'ok 2 other'));
    expect(empty.tests.map((test) => [test.name, test.status, test.reason])).toEqual([
      ['suite', 'fail', 'reported ok, but its subtest document ran no tests'],
      ['other', 'pass', undefined],
    ]);
    const versionAlone = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  # Subtest: suite', 'ok 1 suite'));
    expect(versionAlone.tests[0]).toMatchObject({ name: 'suite', status: 'fail' });
    const xfail = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..0', 'not ok 1 suite # XFAIL known'));
    expect(xfail.tests[0]).toMatchObject({ status: 'fail', reason: 'reported an expected failure, but its subtest document ran no tests' });
    // A skipped suite may well have run nothing.
    const skipped = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..0', 'ok 1 suite # SKIP not configured'));
    expect(skipped.tests[0]).toMatchObject({ status: 'skip' });
  });

  it('reads directives by the document version: XFAIL in KTAP, TODO in TAP, skip in both', () => {
    const statuses = (version: string) =>
      parse(lines(version, '1..3', 'not ok 1 a # XFAIL x', 'not ok 2 b # TODO t', 'not ok 3 c # skip s')).tests.map((t) => t.status);
    expect(statuses('KTAP version 1')).toEqual(['xfail', 'fail', 'skip']);
    expect(statuses('TAP version 13')).toEqual(['fail', 'xfail', 'skip']);
    expect(statuses('TAP version 14')).toEqual(['fail', 'xfail', 'skip']);
  });

  it('nests kselftest blocks whose lines begin with "# "', () => {
    const report = parse(lines('TAP version 13', '1..1', '# selftests: x', '# TAP version 13', '# 1..2', '# ok 1 a', '# not ok 2 b', 'ok 1 selftests: x'));
    expect(shape(report.tests)).toEqual([['selftests: x', 'fail', [['a', 'pass', []], ['b', 'fail', []]]]]);
    expect(report.tests[0]?.diagnostics).toEqual(['selftests: x']);
  });

  it('takes a subtest name inside the document in KTAP, before it in TAP 14, and names a test never reported by it', () => {
    const ktap = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  # Subtest: named', '  1..1', '  ok 1 a', 'ok 1'));
    expect(ktap.tests[0]?.name).toBe('named');
    const tap = parse(lines('TAP version 14', '1..2', 'ok 1 - first', '# Subtest: second'));
    expect(tap.tests.map((t) => [t.name, t.status])).toEqual([['first', 'pass'], ['second', 'notrun']]);
  });

  it('keeps unknown lines as the output of the test they precede, and of a test not run', () => {
    const report = parse(lines('KTAP version 1', '1..2', 'Expected 1 + 1 == 3, but', '    1 + 1 == 2', 'not ok 1 sum', 'Oops: general protection fault'));
    expect(report.tests[0]).toMatchObject({ status: 'fail', output: ['Expected 1 + 1 == 3, but', '1 + 1 == 2'] });
    expect(report.tests[1]).toMatchObject({ status: 'notrun', output: ['Oops: general protection fault'] });
  });

  it('keeps at most maxDiagnostics output lines per test', () => {
    const report = parse(lines('1..1', 'a', 'b', 'c', 'ok 1 t'), { maxDiagnostics: 2 });
    expect(report.tests[0]?.output).toEqual(['a', 'b', '… 1 more output lines']);
  });

  it('lists a huge plan as not run only up to the test limit', () => {
    const report = parse(lines('KTAP version 1', '1..999999999', 'ok 1 a'), { maxTests: 3 });
    expect(report.tests.map((t) => t.status)).toEqual(['pass', 'notrun', 'notrun']);
    expect(report.problems).toEqual(['at end of output: 999999996 more test results dropped (limit 3)']);
  });
});
