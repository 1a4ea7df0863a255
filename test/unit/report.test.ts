import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Ajv } from 'ajv';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import type { KernelResult, TestResult } from '../../src/model.js';
import { kernelResult, testResult } from '../support/results.js';
import { parseSerialOutput } from '../../src/parse/index.js';
import { Parser, type Result as TapResult } from 'tap-parser';
import { ktapReport, tapReport } from '../../src/report/tap.js';
import { countedTests as countedTestsOf } from '../../src/verdict/judge.js';
import { kernelId as kernelIdOf } from '../../src/run/select.js';
import { junitReport } from '../../src/report/junit.js';
import { githubAnnotations, githubSummary, location } from '../../src/report/github.js';
import { quietReport } from '../../src/report/quiet.js';
import { jsonReport } from '../../src/report/json.js';
import { chooseReporters } from '../../src/report/choice.js';
import { printable } from '../../src/report/text.js';
import { mergeKernels, missingShards } from '../../src/commands/merge.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

const test = testResult;

const kernel = (name: string, extra: Partial<KernelResult> = {}): KernelResult =>
  kernelResult(name, { lastSerialLines: ['KTAP version 1', 'ok 1 a'], serialBytes: 100, durationMs: 1500, qemuCommand: ['qemu-system-x86_64'], sourceRoot: '/repo/fixtures', ...extra });

const passing = kernel('heap_basics', {
  tests: [
    test(1, 'box_allocation', 'pass', { diagnostics: ['heap: used=16'] }),
    test(2, 'exhaustion', 'xfail', { reason: 'a bump heap reuses nothing' }),
    test(3, 'later', 'skip', { reason: 'filtered' }),
  ],
  plannedTests: 3,
  screenText: 'Allocator works!',
});
const panicked = kernel('panic', {
  package: 'misbehaving',
  status: 'fail',
  reason: 'the kernel reported failure (exit status 35)',
  exitStatus: 35,
  tests: [
    test(1, 'arithmetic_works', 'pass'),
    test(2, 'arithmetic_is_broken', 'fail', {
      panic: { file: 'misbehaving/tests/panic.rs', line: 19, column: 5, message: 'assertion failed\n  left: 2\n right: 3' },
    }),
  ],
});
const hung = kernel('hang', {
  package: 'misbehaving',
  status: 'hang',
  reason: 'no exit within 3 s; QEMU was killed',
  lastSerialLines: ['KTAP version 1', 'spinning \x1b[31m<forever> & \x00 ]]>'],
  screenText: 'Hello | ``` world',
});
const broken = kernel('qemu', { package: 'misbehaving', status: 'error', reason: 'QEMU could not run the kernel: no such file' });
const all = [passing, panicked, hung, broken];
const ROOT = resolve(import.meta.dirname, '..', '..');

/** What a TAP 14 consumer makes of a document: its verdict, and every test point at every depth. */
function readWithTapParser(text: string): { ok: boolean; points: Array<{ depth: number; id: number; name: string; ok: boolean; todo: string | boolean; skip: string | boolean }>; failures: unknown[] } {
  const points: Array<{ depth: number; id: number; name: string; ok: boolean; todo: string | boolean; skip: string | boolean }> = [];
  const failures: unknown[] = [];
  let ok = false;
  const listen = (parser: Parser, depth: number) => {
    parser.on('assert', (point: TapResult) => points.push({ depth, id: point.id, name: point.name, ok: point.ok, todo: point.todo, skip: point.skip }));
    parser.on('child', (child: Parser) => listen(child, depth + 1));
  };
  const parser = new Parser((final) => {
    ok = final.ok;
    failures.push(...final.failures.filter((failure) => failure.tapError));
  });
  listen(parser, 0);
  parser.end(text);
  return { ok, points, failures };
}

// Each test renders its report itself: a report made once at describe level would be made
// before Stryker activates a mutant, and the mutants only it reaches would not be counted.
describe('the tap reporter (TAP version 14)', () => {

  it('is read by a TAP 14 consumer (tap-parser) without a parse error, failing as the run failed', () => {
    const read = readWithTapParser(tapReport(all));
    expect(read.failures).toEqual([]);
    expect(read.ok).toBe(false);
    expect(read.points.filter((point) => point.depth === 0).map((point) => [point.name, point.ok])).toEqual([
      ['kernel/heap_basics', true],
      ['misbehaving/panic', false],
      ['misbehaving/hang', false],
      ['misbehaving/qemu', false],
    ]);
  });

  it('passes in a TAP 14 consumer when every kernel passed, expected failures as TODO', () => {
    const read = readWithTapParser(tapReport([passing]));
    expect(read.failures).toEqual([]);
    expect(read.ok).toBe(true);
    expect(read.points.filter((point) => point.depth === 1).map((point) => [point.name, point.ok, point.todo, point.skip])).toEqual([
      ['box_allocation', true, false, false],
      ['exhaustion', false, 'a bump heap reuses nothing', false],
      ['later', true, false, 'filtered'],
    ]);
  });

  it('writes the version, subtest headers, directives and diagnostics as TAP 14 has them', () => {
    const tap = tapReport(all);
    expect(tap.startsWith('TAP version 14\n1..4\n# Subtest: kernel/heap_basics\n    1..3\n')).toBe(true);
    expect(tap).toContain('    not ok 2 exhaustion # TODO a bump heap reuses nothing\n');
    expect(tap).toContain('    ok 3 later # SKIP filtered\n');
    expect(tap).toContain('    # heap: used=16\n    ok 1 box_allocation\n');
    expect(tap).toContain('    # panic: panicked at misbehaving/tests/panic.rs:19:5:\n    # assertion failed\n    #   left: 2\n');
  });

  it('puts what explains a failure before its result line: the kernel\'s verdict, panic and artifacts; a test\'s diagnostics, output, time and reason', () => {
    const panic = { file: 'src/lib.rs', line: 7, column: 3, message: 'boom\nsecond' };
    const bad = kernel('bad', {
      status: 'fail',
      reason: 'a test failed',
      panic,
      tests: [
        test(1, 'parent', 'fail', { reason: 'reported ok, but subtests failed: 1 child', subtests: [test(1, 'child', 'fail', { panic, reason: 'panicked' }), test(2, 'never', 'notrun')] }),
        test(2, 'timed', 'pass', { durationMs: 12, diagnostics: ['trailing  ', ''], output: ['out'] }),
        test(3, 'why', 'fail', { reason: 'one\r\ntwo' }),
        test(4, 'x', 'xfail'),
        test(5, 's', 'skip'),
      ],
    });
    const crashed = kernel('crashed', { status: 'crash', reason: 'reset', tests: [test(1, 'a', 'notrun', { reason: 'planned' })] });
    const cached = kernel('cached', { cached: true });
    expect(tapReport([bad, crashed, cached])).toBe(
      [
        'TAP version 14',
        '1..3',
        '# Subtest: kernel/bad',
        '    1..5',
        '    # Subtest: parent',
        '        1..2',
        '        # panic: panicked at src/lib.rs:7:3:',
        '        # boom',
        '        # second',
        '        not ok 1 child',
        '        # not run: never reported',
        '        not ok 2 never',
        '    # reported ok, but subtests failed: 1 child',
        '    not ok 1 parent',
        '    # trailing',
        '    #',
        '    # | out',
        '    # time=12ms',
        '    ok 2 timed',
        '    # one',
        '    # two',
        '    not ok 3 why',
        '    not ok 4 x # TODO',
        '    ok 5 s # SKIP',
        '# fail: a test failed',
        '# panic: panicked at src/lib.rs:7:3:',
        '# boom',
        '# second',
        '# artifacts: /artifacts/bad',
        'not ok 1 kernel/bad',
        '# Subtest: kernel/crashed',
        '    1..2',
        '    # not run: planned',
        '    not ok 1 a',
        '    # reset',
        '    not ok 2 crashed (kernel)',
        // Its reason is on its own `(kernel)` test.
        '# crash',
        '# artifacts: /artifacts/crashed',
        'not ok 2 kernel/crashed',
        // No tests: one result line, no empty document (which would read as "no tests ran").
        '# cached: passed before with this image and configuration; not booted',
        'ok 3 kernel/cached',
        '',
      ].join('\n'),
    );
  });

  it('says "unknown reason" for a kernel failed by its tests without one, and writes a panic only for a failed test', () => {
    const k = kernel('k', { status: 'fail', reason: undefined, tests: [test(1, 'x', 'xfail', { panic: { file: 'a.rs', line: 1, column: 1, message: 'expected' } }), test(2, 'f', 'fail')] });
    const tap = tapReport([k]);
    expect(tap).toContain('\n    not ok 1 x # TODO\n    not ok 2 f\n# fail: unknown reason\n');
    expect(tap).not.toContain('panic');
  });

  it('escapes # and keeps line breaks out of descriptions', () => {
    const odd = tapReport([kernel('a#b', { tests: [test(1, 'x # SKIP not really\nok 9 y', 'pass')] })]);
    expect(odd).toContain('ok 1 x \\# SKIP not really ok 9 y\n');
    const read = readWithTapParser(odd);
    expect(read.ok).toBe(true);
    expect(read.points.find((point) => point.depth === 1)).toMatchObject({ name: 'x # SKIP not really ok 9 y', skip: false });
  });

  it('fails in a TAP 14 consumer for a subtest that did not run', () => {
    const stopped = kernel('stopped', { status: 'crash', reason: 'reset', tests: [test(1, 'a', 'pass'), test(2, 'b', 'notrun', { reason: 'planned' })] });
    const read = readWithTapParser(tapReport([stopped]));
    expect(read.ok).toBe(false);
    expect(read.points.filter((point) => point.depth === 1).map((point) => [point.name, point.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['stopped (kernel)', false],
    ]);
  });
});

/** The tree a report describes: names and verdicts at every depth (a test not run is a failure in KTAP). */
function tree(tests: TestResult[]): unknown[] {
  return tests.map((t) => [t.name, t.status === 'notrun' ? 'fail' : t.status, tree(t.subtests)]);
}

describe('the ktap reporter (KTAP version 1)', () => {
  const nestedKernel = kernel('nested', {
    status: 'fail',
    reason: 'a test failed',
    tests: [
      test(1, 'suite', 'fail', {
        reason: 'reported ok, but subtests failed: 2 b',
        subtests: [test(1, 'a', 'pass', { output: ['printed by a'] }), test(2, 'b', 'fail', { reason: 'checksum mismatch' }), test(3, 'c', 'notrun', { reason: 'planned' })],
      }),
      test(2, 'alone', 'xfail', { reason: 'leaks' }),
    ],
  });
  const kernels = [...all, nestedKernel];

  it('reads back with alloc-runner\'s own parser as the same tree, without a problem', () => {
    const parsed = parseSerialOutput(ktapReport(kernels));
    expect(parsed.problems).toEqual([]);
    expect(parsed.plannedTests).toBe(kernels.length);
    const expected = kernels.map((k) => [kernelIdOf(k), k.status === 'pass' ? 'pass' : 'fail', tree(countedTestsOf(k))]);
    expect(tree(parsed.tests)).toEqual(expected);
    expect(parsed.tests[0]!.subtests.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['box_allocation', 'pass', undefined],
      ['exhaustion', 'xfail', 'a bump heap reuses nothing'],
      ['later', 'skip', 'filtered'],
    ]);
  });

  it('writes KTAP: version line in every document, two spaces a level, XFAIL, no # in descriptions', () => {
    const ktap = ktapReport(kernels);
    expect(ktap.startsWith('KTAP version 1\n1..5\n  KTAP version 1\n  # Subtest: kernel/heap_basics\n  1..3\n')).toBe(true);
    expect(ktap).toContain('  not ok 2 exhaustion # XFAIL a bump heap reuses nothing\n');
    expect(ktap).toContain('    KTAP version 1\n    # Subtest: suite\n    1..3\n    # | printed by a\n    ok 1 a\n');
    const odd = ktapReport([kernel('a#b', { tests: [test(1, 'x # SKIP not really\nok 9 y', 'pass')] })]);
    expect(odd).toContain('ok 1 x _ SKIP not really ok 9 y\n');
    expect(parseSerialOutput(odd).tests[0]!.subtests).toHaveLength(1);
  });
});

describe('the junit reporter', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
  type Doc = {
    testsuites: Record<string, string> & { testsuite: Array<Record<string, string> & { testcase: Array<Record<string, unknown>>; 'system-out': string }> };
  };
  const read = (xml: string) => parser.parse(xml) as Doc;

  it('counts as CI systems read it: tests, failures, errors, skipped', () => {
    const root = read(junitReport(all)).testsuites;
    expect([root.tests, root.failures, root.errors, root.skipped]).toEqual(['7', '2', '1', '1']);
    const suites = root.testsuite.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped, s.time]);
    expect(suites).toEqual([
      ['kernel/heap_basics', '3', '0', '0', '1', '1.500'],
      ['misbehaving/panic', '2', '1', '0', '0', '1.500'],
      ['misbehaving/hang', '1', '1', '0', '0', '1.500'],
      ['misbehaving/qemu', '1', '0', '1', '0', '1.500'],
    ]);
  });

  it('gives a failure its reason as message and the panic and serial tail as body', () => {
    const doc = read(junitReport(all));
    const failing = doc.testsuites.testsuite[1]!.testcase[1]! as { name: string; classname: string; failure: Record<string, string> };
    expect(failing.name).toBe('arithmetic_is_broken');
    expect(failing.classname).toBe('misbehaving/panic');
    expect(failing.failure.message).toBe('panicked at misbehaving/tests/panic.rs:19:5: assertion failed');
    expect(failing.failure['#text']).toContain('right: 3');
    expect(failing.failure['#text']).toContain('last serial lines:\nKTAP version 1');
    const hang = doc.testsuites.testsuite[2]!.testcase[0]! as { name: string; failure: Record<string, string> };
    expect(hang.name).toBe('hang (kernel)');
    expect(hang.failure.type).toBe('hang');
    expect(hang.failure.message).toBe('no exit within 3 s; QEMU was killed');
    expect((doc.testsuites.testsuite[3]!.testcase[0] as { error: Record<string, string> }).error.type).toBe('error');
  });

  it('escapes markup and makes control characters visible, so the document stays well-formed', () => {
    const xml = junitReport(all);
    const doc = read(xml);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    const out = doc.testsuites.testsuite[2]!['system-out'];
    expect(out).toContain('spinning \\x1b[31m<forever> & \\x00 ]]>');
  });

  // xmllint is Debian's libxml2-utils (.ci/run installs it); without it this test is skipped.
  it.skipIf(spawnSync('xmllint', ['--version']).error !== undefined)('is well-formed XML to a strict parser (xmllint), whatever the kernel printed', () => {
    const nasty = kernel('nasty', {
      status: 'fail',
      reason: 'a "quoted" <reason> & ]]> end',
      tests: [test(1, 'a]]>b', 'fail', { reason: 'x ]]> y', diagnostics: [']]>', '<![CDATA[ & \x01'] })],
      lastSerialLines: ['not ok 1 a]]>b', '\x00\x1b[0m\ud800'],
      screenText: ']]> <tag attr="1">',
    });
    const lint = spawnSync('xmllint', ['--noout', '-'], { input: junitReport([...all, nasty], { serialLog: () => 'log ]]> <x> &amp; \r\n' }), encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('reports an interrupted kernel as an error of the run, not a failed test', () => {
    const interrupted = kernel('stopped', { status: 'interrupted', reason: 'alloc-runner was interrupted while the kernel ran; QEMU was stopped', tests: [test(1, 'a', 'pass')] });
    const parsed = parser.parse(junitReport([interrupted])) as Doc;
    const suite = parsed.testsuites.testsuite[0]!;
    expect([suite.tests, suite.failures, suite.errors]).toEqual(['2', '0', '1']);
    const kernelCase = suite.testcase[1] as { name: string; error?: Record<string, string>; failure?: unknown };
    expect(kernelCase.name).toBe('stopped (kernel)');
    expect(kernelCase.failure).toBeUndefined();
    expect(kernelCase.error?.type).toBe('interrupted');
  });

  it('writes every kind of test and kernel as the JUnit schema has them', () => {
    const a = kernel('a', {
      cached: true,
      exitStatus: 33,
      accelerator: 'tcg',
      tests: [test(1, 'p', 'pass', { diagnostics: ['d1'], subtests: [test(1, 's', 'pass')] }), test(2, 'x', 'xfail'), test(3, 'k', 'skip'), test(4, 'q', 'pass')],
    });
    const b = kernel('b', { package: undefined, status: 'fail', durationMs: 250, lastSerialLines: [], tests: [test(1, 'f', 'fail'), test(2, 'g', 'fail', { reason: 'r\nr2', diagnostics: ['dg'] })] });
    const c = kernel('c', { status: 'crash', reason: 'reset', panic: { file: 'a.rs', line: 1, column: 2, message: 'm' }, screenText: 'S', tests: [test(1, 'ok', 'pass')] });
    const d = kernel('d', { status: 'hang', reason: undefined, lastSerialLines: [], noScreenReason: 'none read' });
    expect(junitReport([a, b, c, d])).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="alloc-runner" tests="9" failures="4" errors="0" skipped="1" time="4.750">
  <testsuite name="kernel/a" tests="4" failures="0" errors="0" skipped="1" time="1.500">
    <properties>
      <property name="status" value="pass"/>
      <property name="image" value="/target/a"/>
      <property name="exitStatus" value="33"/>
      <property name="accelerator" value="tcg"/>
      <property name="artifacts" value="/artifacts/a"/>
      <property name="cached" value="true"/>
    </properties>
    <testcase name="p › s" classname="kernel/a">
      <system-out># d1</system-out>
    </testcase>
    <testcase name="x" classname="kernel/a">
      <system-out>expected failure</system-out>
    </testcase>
    <testcase name="k" classname="kernel/a">
      <skipped message="skipped"/>
    </testcase>
    <testcase name="q" classname="kernel/a"/>
    <system-out>KTAP version 1
ok 1 a</system-out>
  </testsuite>
  <testsuite name="b" tests="2" failures="2" errors="0" skipped="0" time="0.250">
    <properties>
      <property name="status" value="fail"/>
      <property name="image" value="/target/b"/>
      <property name="artifacts" value="/artifacts/b"/>
    </properties>
    <testcase name="f" classname="b">
      <failure message="failed" type="fail"></failure>
    </testcase>
    <testcase name="g" classname="b">
      <failure message="r" type="fail">r
r2</failure>
      <system-out># dg</system-out>
    </testcase>
    <system-out></system-out>
  </testsuite>
  <testsuite name="kernel/c" tests="2" failures="1" errors="0" skipped="0" time="1.500">
    <properties>
      <property name="status" value="crash"/>
      <property name="image" value="/target/c"/>
      <property name="artifacts" value="/artifacts/c"/>
    </properties>
    <testcase name="ok" classname="kernel/c"/>
    <testcase name="c (kernel)" classname="kernel/c" time="1.500">
      <failure message="reset" type="crash">crash: reset

panicked at a.rs:1:2: m

last serial lines:
KTAP version 1
ok 1 a

VGA screen:
S

artifacts: /artifacts/c</failure>
    </testcase>
    <system-out>KTAP version 1
ok 1 a</system-out>
  </testsuite>
  <testsuite name="kernel/d" tests="1" failures="1" errors="0" skipped="0" time="1.500">
    <properties>
      <property name="status" value="hang"/>
      <property name="image" value="/target/d"/>
      <property name="artifacts" value="/artifacts/d"/>
    </properties>
    <testcase name="d (kernel)" classname="kernel/d" time="1.500">
      <failure message="unknown reason" type="hang">hang: unknown reason

VGA screen: none (none read)

artifacts: /artifacts/d</failure>
    </testcase>
    <system-out></system-out>
  </testsuite>
</testsuites>
`);
  });

  it('gives a parent its own testcase when its failure is its own, and a kernel\'s blank screen as blank', () => {
    const k = kernel('k', {
      status: 'fail',
      reason: 'a test failed',
      lastSerialLines: [],
      tests: [
        test(1, 'parent', 'fail', { reason: 'the kernel printed no result line for these subtests', subtests: [test(1, 'a', 'pass')] }),
        test(2, 'x', 'xfail', { reason: 'known', diagnostics: ['d1', 'd2'] }),
        test(3, 'n', 'notrun'),
      ],
    });
    const blank = kernel('b', { status: 'crash', reason: 'reset', screenText: '', lastSerialLines: [] });
    const [suite, crashed] = read(junitReport([k, blank])).testsuites.testsuite as [Doc['testsuites']['testsuite'][0], Doc['testsuites']['testsuite'][0]];
    expect(suite.testcase.map((testcase) => testcase.name)).toEqual(['parent', 'parent › a', 'x', 'n']);
    expect(suite.testcase[0]).toMatchObject({ failure: { message: 'the kernel printed no result line for these subtests', type: 'fail' } });
    expect(suite.testcase[2]!['system-out']).toBe('expected failure: known\n# d1\n# d2');
    expect(suite.testcase[3]).toMatchObject({ error: { message: 'not run: never reported', type: 'notrun', '#text': 'not run: never reported\n\nkernel: fail: a test failed' } });
    expect((crashed.testcase[0] as { failure: Record<string, string> }).failure['#text']).toBe('crash: reset\n\nVGA screen:\n(blank)\n\nartifacts: /artifacts/b');
  });

  it('gives no testcase to a failed parent whose subtests did not all run, and keeps every line of a test\'s log', () => {
    const k = kernel('k', { status: 'crash', reason: 'reset', lastSerialLines: [], tests: [test(1, 'parent', 'fail', { subtests: [test(1, 'a', 'pass', { diagnostics: ['d1', 'd2'] }), test(2, 'b', 'notrun')] })] });
    const xml = junitReport([k, kernel('quotes', { status: 'hang', reason: `it's "stuck"`, lastSerialLines: [] })]);
    const suite = read(xml).testsuites.testsuite[0]!;
    expect(suite.testcase.map((testcase) => testcase.name)).toEqual(['parent › a', 'parent › b']);
    expect(xml).toContain('<system-out># d1\n# d2</system-out>');
    expect(xml).toContain('<error message="not run: never reported" type="notrun">not run: never reported\n\nkernel: crash: reset</error>');
    expect(xml).toContain('<failure message="it&apos;s &quot;stuck&quot;" type="hang">hang: it&apos;s &quot;stuck&quot;\n\nVGA screen: none (not read)\n\nartifacts: /artifacts/quotes</failure>');
  });

  it('tells a panic from a plain failure, and says how the kernel ended in each failure', () => {
    const failing = read(junitReport(all)).testsuites.testsuite[1]!.testcase[1] as { failure: Record<string, string> };
    expect(failing.failure.type).toBe('panic');
    expect(failing.failure['#text']).toBe(
      'panicked at misbehaving/tests/panic.rs:19:5:\nassertion failed\n  left: 2\n right: 3\n\nkernel: fail: the kernel reported failure (exit status 35)\n\nlast serial lines:\nKTAP version 1\nok 1 a',
    );
  });

  it('puts line breaks and tabs of attributes as character references', () => {
    const xml = junitReport([kernel('k', { status: 'fail', tests: [test(1, 'a\tb', 'skip', { reason: 'one\ttwo' })], image: '/x\ny' })]);
    expect(xml).toContain('<testcase name="a&#9;b" classname="kernel/k">');
    expect(xml).toContain('<skipped message="one&#9;two"/>');
    expect(xml).toContain('<property name="image" value="/x&#10;y"/>');
    expect(junitReport([passing], { serialLog: () => 'a\r\nb\rc' })).toContain('<system-out>a\nb\\rc</system-out>');
  });

  it('shows the serial log it is given as system-out', () => {
    const withLog = parser.parse(junitReport([passing], { serialLog: () => 'whole\nlog' })) as Doc;
    expect(withLog.testsuites.testsuite[0]!['system-out']).toBe('whole\nlog');
  });
});

describe('the github reporter', () => {
  it('annotates a panic at its file, relative to the repository, and other failures by title', () => {
    const lines = githubAnnotations(all, '/repo', () => true).trimEnd().split('\n');
    expect(lines[0]).toBe(
      '::error file=fixtures/misbehaving/tests/panic.rs,line=19,col=5,title=misbehaving/panic%3A arithmetic_is_broken failed::panicked at misbehaving/tests/panic.rs:19:5:%0Aassertion failed%0A  left: 2%0A right: 3',
    );
    expect(lines[1]).toMatch(/^::error title=misbehaving\/hang%3A kernel hang::no exit within 3 s; QEMU was killed%0Aartifacts: /);
    expect(lines[2]).toMatch(/^::error title=misbehaving\/qemu%3A kernel error::QEMU could not run/);
    expect(lines).toHaveLength(3);
  });

  it('gives no file to a panic outside the repository', () => {
    const panic = { file: '/rustc/abc/library/core/src/num.rs', line: 1, column: 1, message: 'overflow' };
    expect(location(panic, { sourceRoot: '/repo' }, '/repo', () => true)).toBeUndefined();
    expect(location({ ...panic, file: 'src/lib.rs' }, { sourceRoot: '/repo/kernel' }, '/repo', () => true)?.file).toBe('kernel/src/lib.rs');
  });

  it('gives no file to a panic path that is not there', () => {
    const panic = { file: 'tests/ktap_ok_after_panic.rs', line: 17, column: 5, message: 'the heap is corrupt' };
    expect(location(panic, { sourceRoot: join(ROOT, 'fixtures') }, ROOT)).toBeUndefined();
    expect(location({ ...panic, file: 'misbehaving/tests/ktap_ok_after_panic.rs' }, { sourceRoot: join(ROOT, 'fixtures') }, ROOT)?.file).toBe('fixtures/misbehaving/tests/ktap_ok_after_panic.rs');
  });

  it('annotates the first ten failures, those at a file first, then says how many more', () => {
    const many = Array.from({ length: 12 }, (_, index) => kernel(`k${index}`, { status: 'hang', reason: 'no exit', tests: [] }));
    const lines = githubAnnotations([...many, panicked], '/repo', () => true).trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.filter((line) => line.startsWith('::error '))).toHaveLength(10);
    expect(lines.some((line) => line.includes('file=fixtures/misbehaving/tests/panic.rs'))).toBe(true);
    expect(lines[10]).toBe('::notice title=alloc-runner::3 more failures are not annotated (GitHub shows 10 per step); the job summary and the report list every one');
  });

  it('annotates a test not run and a failed test without reasons, and no kernel that passed, panic or not', () => {
    const quiet = kernel('q', { status: 'crash', reason: undefined, tests: [test(1, 'f', 'fail'), test(2, 'n', 'notrun')] });
    const passedWithPanic = kernel('p', { panic: { file: 'src/lib.rs', line: 1, column: 1, message: 'expected' } });
    expect(githubAnnotations([quiet, passedWithPanic], '/repo', () => true)).toBe(
      [
        '::error title=kernel/q%3A f failed::failed; kernel crash: ',
        '::error title=kernel/q%3A n not run::never reported; kernel crash: ',
        '',
      ].join('\n'),
    );
  });

  it('shows the failures at a file first when there are more than ten, saying how many more', () => {
    const many = Array.from({ length: 11 }, (_, index) => kernel(`k${index}`, { status: 'hang', reason: 'no exit', tests: [] }));
    const lines = githubAnnotations([panicked, ...many], '/repo', () => true).trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('::error file='))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('::error '))).toHaveLength(10);
    expect(lines.at(-1)).toBe('::notice title=alloc-runner::2 more failures are not annotated (GitHub shows 10 per step); the job summary and the report list every one');
    const eleven = githubAnnotations(many, '/repo', () => true).trimEnd().split('\n');
    expect(eleven.at(-1)).toBe('::notice title=alloc-runner::1 more failure is not annotated (GitHub shows 10 per step); the job summary and the report list every one');
  });

  it('gives no file to a panic of unknown location, and writes a Windows path with slashes', () => {
    expect(location({ file: '', line: 0, column: 0, message: 'm' }, { sourceRoot: '/repo' }, '/repo', () => true)).toBeUndefined();
    expect(location({ file: 'src\\lib.rs', line: 2, column: 3, message: 'm' }, { sourceRoot: '/repo/k' }, '/repo', () => true)).toEqual({ file: 'k/src/lib.rs', line: 2, col: 3 });
  });

  it('lists a test not run without a reason, and folds each failed test\'s output in the summary', () => {
    const stopped = kernel('s', { status: 'crash', reason: 'reset', lastSerialLines: [], tests: [test(1, 'n', 'notrun', { output: ['last words'] })] });
    expect(githubSummary(decideOutcome([stopped]))).toContain('- 1 n: not run: \n\n  <details><summary>Output of n</summary>\n\n```text\nlast words\n```\n\n  </details>\n\n\nVGA screen: none (not read)');
  });

  it('keeps every line of a failed test\'s output in the summary', () => {
    const k = kernel('k', { status: 'fail', reason: 'r', lastSerialLines: [], tests: [test(1, 'f', 'fail', { output: ['one', 'two'] })] });
    expect(githubSummary(decideOutcome([k]))).toContain('```text\none\ntwo\n```');
  });

  it('summarises the run in Markdown with a table and the screens of failing kernels', () => {
    const summary = githubSummary(decideOutcome(all));
    expect(summary).toContain('## alloc-runner: 3 passed, 3 failed, 1 skipped');
    expect(summary).toContain('| ✅ | kernel/heap_basics | 3 | 2 | 0 | 0 | 1 | 1.50 s | pass |');
    expect(summary).toContain('| ❌ | misbehaving/hang | 1 | 0 | 1 | 0 | 0 | 1.50 s | hang: no exit within 3 s; QEMU was killed |');
    // The screen holds ``` and |: the fence is longer, the table untouched.
    expect(summary).toContain('VGA screen:\n\n````text\nHello | ``` world\n````');
    expect(summary).not.toContain('Allocator works!');
  });
});

describe('the github reporter, whole', () => {
  const odd = kernel('odd|name', {
    status: 'fail',
    reason: 'two\nlines',
    panic: { file: 'src/main.rs', line: 1, column: 2, message: 'kp' },
    tests: [
      test(1, 'a', 'fail', { reason: 'why' }),
      test(2, 'p', 'pass', { subtests: [test(1, 's', 'fail')] }),
      test(3, 'q', 'fail', { panic: { file: '/rustc/x.rs', line: 3, column: 4, message: 'm' } }),
    ],
    lastSerialLines: [],
    screenText: '',
  });
  const cached = kernel('c', { cached: true, package: undefined });
  const silent = kernel('n', { status: 'crash', reason: undefined, lastSerialLines: [] });

  it('writes the summary table and a section per failing kernel, nested failures included', () => {
    expect(githubSummary(decideOutcome([odd, cached, silent]))).toBe(
      [
        '## alloc-runner: 1 passed, 3 failed',
        '',
        '| | Kernel | Tests | Passed | Failed | Not run | Skipped | Time | Result |',
        '|---|---|--:|--:|--:|--:|--:|--:|---|',
        '| ❌ | kernel/odd\\|name | 3 | 1 | 2 | 0 | 0 | 1.50 s | fail: two |',
        '| ✅ | c | 0 | 0 | 0 | 0 | 0 | cached | pass |',
        '| ❌ | kernel/n | 1 | 0 | 1 | 0 | 0 | 1.50 s | crash: unknown reason |',
        '',
        '### ❌ kernel/odd\\|name: fail',
        '',
        '```text\ntwo\nlines\n```',
        '',
        'Failed and not run tests:',
        '',
        '- 1 a: why',
        '- 1 s',
        '- 3 q: panicked at /rustc/x.rs:3:4: m',
        '',
        'VGA screen:\n\n```text\n(blank)\n```',
        '',
        'Artifacts: `/artifacts/odd\\|name`',
        '',
        '### ❌ kernel/n: crash',
        '',
        '```text\nunknown reason\n```',
        '',
        'VGA screen: none (not read)',
        '',
        'Artifacts: `/artifacts/n`',
        '',
      ].join('\n'),
    );
  });

  it('shows the last serial lines of a failing kernel, folded', () => {
    expect(githubSummary(decideOutcome([hung]))).toContain('\n\n<details><summary>Last serial lines</summary>\n\n```text\nKTAP version 1\nspinning \\x1b[31m<forever> & \\x00 ]]>\n```\n\n</details>\n');
  });

  it('annotates every failed test, nested ones too, and the kernel that failed beyond them at its panic', () => {
    expect(githubAnnotations([odd, cached, silent], '/repo', () => true)).toBe(
      [
        '::error title=kernel/odd|name%3A a failed::why',
        '::error title=kernel/odd|name%3A s failed::failed; kernel fail: two%0Alines',
        '::error title=kernel/odd|name%3A q failed::panicked at /rustc/x.rs:3:4:%0Am',
        '::error file=fixtures/src/main.rs,line=1,col=2,title=kernel/odd|name%3A kernel fail::two%0Alines%0Apanicked at src/main.rs:1:2:%0Akp%0Aartifacts: /artifacts/odd|name',
        '::error title=kernel/n%3A kernel crash::unknown reason%0Aartifacts: /artifacts/n',
        '',
      ].join('\n'),
    );
  });

  it('escapes what would end a workflow command or its properties', () => {
    const tricky = kernel('k', { status: 'hang', reason: '100% done\r\nnext', package: 'a,b:c' });
    expect(githubAnnotations([tricky], '/repo')).toBe('::error title=a%2Cb%3Ac/k%3A kernel hang::100%25 done\\r%0Anext%0Aartifacts: /artifacts/k\n');
  });
});

describe('the quiet reporter', () => {
  const plain = new Chalk({ level: 0 });
  it('prints one line when everything passed', () => {
    expect(quietReport(decideOutcome([passing, { ...passing, name: 'other', cached: true }]), plain)).toBe('alloc-runner: 4 passed, 0 failed, 2 skipped (2 kernels, 1 cached)\n');
  });
  it('shows a failing kernel as the default report does without --verbose: no passing test\'s output', () => {
    const failing = kernel('f', { status: 'fail', reason: 'r', tests: [test(1, 'chatty', 'pass', { output: ['chatter'] }), test(2, 'broken', 'fail', { output: ['last words'] })] });
    const out = quietReport(decideOutcome([failing]), plain);
    expect(out).toContain('  ✓ 1 chatty\n  ✗ 2 broken\n      > last words\n');
    expect(out).not.toContain('chatter');
  });
  it('prints only the failing kernels, then the line', () => {
    const out = quietReport(decideOutcome([passing, panicked]), plain);
    expect(out).not.toContain('heap_basics');
    expect(out).toContain('misbehaving panic');
    expect(out).toContain('arithmetic_is_broken');
    expect(out.trimEnd().split('\n').at(-1)).toBe('alloc-runner: 3 passed, 1 failed, 1 skipped (2 kernels)');
  });
});

describe('the json report', () => {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  it('matches its documented schema, shard included', () => {
    const report = jsonReport(decideOutcome(all), '0.1.0', { index: 1, count: 2 });
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
  });
  it('leaves out the shard of an unsharded run and the screen\'s cells, keeping its text and its colours as runs', () => {
    const screen: KernelResult['screen'] = { rows: Array(25).fill(' '.repeat(80)), attributes: Array(25).fill(Array(80).fill(0x07)) };
    const report = jsonReport(decideOutcome([{ ...passing, screen }]), '1.2.3');
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'totals', 'kernels']);
    expect(report.tool).toEqual({ name: 'alloc-runner', version: '1.2.3' });
    expect(report.totals).toEqual({ passed: 2, failed: 0, skipped: 1, notRun: 0 });
    expect('screen' in report.kernels[0]!).toBe(false);
    expect(report.kernels[0]!.screenText).toBe('Allocator works!');
    expect(report.kernels[0]!.screenColours).toEqual(Array(25).fill('07x80'));
  });

  it('is rejected by the schema when a field is not documented', () => {
    const report = JSON.parse(JSON.stringify(jsonReport(decideOutcome([passing]), '0.1.0')));
    report.kernels[0].surprise = 1;
    expect(validate(report)).toBe(false);
  });
});

describe('merging shard reports', () => {
  const report = (kernels: KernelResult[], index: number, count = 3) => jsonReport(decideOutcome(kernels), '0.1.0', { index, count });
  it('takes every kernel once, sorted by package/name', () => {
    const merged = mergeKernels([
      { file: 'b.json', report: report([panicked, hung], 2) },
      { file: 'a.json', report: report([passing], 1) },
    ]);
    expect(merged.map((k) => `${k.package}/${k.name}`)).toEqual(['kernel/heap_basics', 'misbehaving/hang', 'misbehaving/panic']);
  });
  it('refuses a kernel that two shards both ran', () => {
    expect(() => mergeKernels([
      { file: 'a.json', report: report([passing], 1) },
      { file: 'b.json', report: report([passing], 2) },
    ])).toThrow('kernel kernel/heap_basics is in both a.json and b.json');
  });
  it('names the shards that are missing', () => {
    expect(missingShards([report([], 1), report([], 3)])).toBe('the merged reports lack shard 2/3');
    expect(missingShards([report([], 1, 1)])).toBeUndefined();
  });
});

describe('reporter choice and text', () => {
  const where = (choice: ReturnType<typeof chooseReporters>) => choice.map(({ name, destination }) => `${name}:${destination.to === 'file' ? destination.path : destination.to}`);
  it('adds github in GitHub Actions, once, on stderr when another reporter writes to stdout', () => {
    expect(where(chooseReporters([], [], {}))).toEqual(['default:stdout']);
    expect(where(chooseReporters([], [], { GITHUB_ACTIONS: 'true' }))).toEqual(['default:stdout', 'github:stderr']);
    expect(where(chooseReporters(['junit', 'github'], [], { GITHUB_ACTIONS: 'true' }))).toEqual(['junit:stdout', 'github:stderr']);
    expect(where(chooseReporters(['github'], [], { GITHUB_ACTIONS: 'true' }))).toEqual(['github:stdout']);
    expect(where(chooseReporters(['json'], ['json=/r.json'], { GITHUB_ACTIONS: 'true' }))).toEqual(['json:/r.json', 'github:stdout']);
  });
  it('takes --output-file NAME=PATH as --reporter NAME, beside the default', () => {
    expect(where(chooseReporters([], ['junit=/j.xml'], {}))).toEqual(['default:stdout', 'junit:/j.xml']);
    expect(where(chooseReporters(['quiet'], ['json=/r.json'], {}))).toEqual(['quiet:stdout', 'json:/r.json']);
  });
  it('refuses two reporters on one file, and one reporter on two', () => {
    expect(() => chooseReporters([], ['json=/r', 'junit=/r'], {})).toThrow('--output-file json=… and junit=/r: both reporters would write /r; give each its own file');
    expect(() => chooseReporters([], ['json=/a', 'json=/b'], {})).toThrow('--output-file json=/a and json=/b: a reporter writes one file; give json one path');
    expect(where(chooseReporters([], ['json=/a', 'json=/a'], {}))).toEqual(['default:stdout', 'json:/a']);
  });
  it('shows control characters, lone surrogates and non-characters as escapes, keeping tabs, newlines and emoji', () => {
    expect(printable('a\x00b\x1b\x7f\x85\ufffe\ud800c\t\n😀')).toBe('a\\x00b\\x1b\\x7f\\x85\\u{fffe}\\u{d800}c\t\n😀');
  });
});
