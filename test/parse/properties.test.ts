// Whatever a kernel prints, the parser must not throw and its report must stay well formed
// and bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SerialLines, SerialReport, TestResult } from '../../src/model.js';
import { DEFAULT_LIMITS, type ParseLimits } from '../../src/parse/context.js';
import { LineSplitter, splitLines } from '../../src/capture/lines.js';
import { SerialParser } from '../../src/parse/serial.js';
import { allTests } from './helpers.js';

const STATUSES = new Set(['pass', 'fail', 'skip', 'xfail', 'notrun']);

function parseLines(input: string[], limits: Partial<ParseLimits>): SerialReport {
  const parser = new SerialParser(limits);
  for (const line of input) parser.push(line);
  return parser.finish();
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function checkReport(report: SerialReport, options: Partial<ParseLimits>, lineCount: number): void {
  const limits = { ...DEFAULT_LIMITS, ...options };
  const tests = allTests(report.tests);
  expect(['ktap', 'blog_os', 'none']).toContain(report.format);
  expect(tests.length).toBeLessThanOrEqual(limits.maxTests);
  if (report.format === 'none') expect(report.tests).toEqual([]);
  if (report.plannedTests !== undefined) expect(isCount(report.plannedTests)).toBe(true);
  expect(report.problems.length).toBeLessThanOrEqual(limits.maxProblems + 1);
  for (const test of tests) checkTest(test, limits);
  checkSpans(report.tests, { first: 1, last: lineCount });
  if (report.panic) {
    expect(isCount(report.panic.line) && isCount(report.panic.column)).toBe(true);
    expect(report.panic.message.split('\n').length).toBeLessThanOrEqual(limits.maxPanicLines + 1);
  }
  // No NaN, undefined or other value that JSON would not keep.
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
}

function checkTest(test: TestResult, limits: ParseLimits): void {
  expect(isCount(test.number)).toBe(true);
  expect(typeof test.name).toBe('string');
  expect(test.name).not.toBe('');
  expect(STATUSES.has(test.status)).toBe(true);
  expect(test.diagnostics.length).toBeLessThanOrEqual(limits.maxDiagnostics + 1);
  if (test.panic) expect(isCount(test.panic.line) && isCount(test.panic.column)).toBe(true);
  expect((test.output ?? []).length).toBeLessThanOrEqual(limits.maxDiagnostics + 1);
  if (test.output) expect(test.output.length).toBeGreaterThan(0);
  // A parent is never better than its subtests.
  if (test.subtests.some((subtest) => subtest.status === 'fail' || subtest.status === 'notrun')) expect(test.status).toBe('fail');
}

/** Tests' serial lines lie within the output (or their parent's), in order, siblings apart. */
function checkSpans(tests: TestResult[], within: SerialLines): void {
  let after = within.first - 1;
  for (const test of tests) {
    const lines = test.serialLines;
    if (lines) {
      expect(lines.first, test.name).toBeGreaterThan(after);
      expect(lines.last, test.name).toBeGreaterThanOrEqual(lines.first);
      expect(lines.last, test.name).toBeLessThanOrEqual(within.last);
      after = lines.last;
    }
    checkSpans(test.subtests, lines ?? { first: after + 1, last: within.last });
  }
}

// Lines built from the pieces the parser looks for, so that random sequences hit its rules.
const indent = fc.constantFrom('', '', '    ', '\t', '        ', '  ', '\t    \t', '\t'.repeat(40));
const number = fc.oneof(fc.nat(12).map(String), fc.constantFrom('0', '9007199254740993', '9'.repeat(400)));
const name = fc.constantFrom('', 'alloc', 'heap::vec', 'a b', '- dash', 'c#x', '…é😀');
const directive = fc.constantFrom('', ' # SKIP why', ' # TODO', ' # XFAIL leak', ' # reason', ' #', ' # skip');
const panicLine = fc.constantFrom(
  'panicked at src/a.rs:1:2:',
  '# panicked at src/a.rs:3:4: msg',
  'Error: panicked at tests/h.rs:36:5:',
  "Error: panicked at 'old",
  "panicked at 'old', src/o.rs:5:6",
  "tail', src/o.rs:7:8",
  'panicked at x:99999999999:1',
);
const structuredLine = fc.oneof(
  fc.tuple(indent, fc.constantFrom('ok', 'not ok'), number, name, directive).map(([i, r, n, t, d]) => `${i}${r} ${n} ${t}${d}`),
  fc.tuple(indent, fc.constantFrom('KTAP version 1', 'TAP version 14', 'KTAP version 9', '# TAP version 13', '[    0.06] KTAP version 1')).map(([i, v]) => i + v),
  fc.tuple(fc.constantFrom('# ', '# # ', '[    0.06] ', '[   10.99] '), fc.constantFrom('ok 1 a', 'not ok 2 b', '1..2', 'chatter')).map(([p, l]) => p + l),
  fc.tuple(indent, number).map(([i, n]) => `${i}1..${n}`),
  fc.tuple(indent, fc.constantFrom('# diag', '#', '# Subtest: s', '# alloc-runner: screen ready')).map(([i, d]) => i + d),
  fc.tuple(indent, panicLine).map(([i, p]) => i + p),
  fc
    .tuple(name, fc.constantFrom('\t', ' ', ''), fc.constantFrom('[ok]', '[failed]', '[test did not panic]'))
    .map(([n, s, v]) => `${n}...${s}${v}`),
  number.map((n) => `Running ${n} tests`),
  fc.constantFrom('', '   ', 'Booting', '\r'),
);
const anyLine = fc.oneof({ weight: 4, arbitrary: structuredLine }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) });

const limits = fc.oneof(
  fc.constant({}),
  fc.record({
    maxTests: fc.nat(6),
    maxDiagnostics: fc.nat(3),
    maxPanicLines: fc.nat(3),
    maxProblems: fc.nat(3),
    maxDepth: fc.nat(3),
  }),
);

const KTAP_DOC = [
  'KTAP version 1',
  '1..3',
  '    # Subtest: suite',
  '    KTAP version 1',
  '    1..2',
  '    # diag',
  '    ok 1 inner_a',
  '    not ok 2 inner_b # SKIP no device',
  'ok 1 suite',
  'ok 2 vec',
  '# panicked at src/heap.rs:36:5:',
  '# assertion `left == right` failed',
  'not ok 3 last # XFAIL leaks',
  '# alloc-runner: screen ready',
];

type Mutation = { at: number; kind: 'delete' | 'duplicate' | 'insert' | 'reindent' | 'cut' | 'swap'; line: string; n: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(30),
  kind: fc.constantFrom('delete', 'duplicate', 'insert', 'reindent', 'cut', 'swap'),
  line: anyLine,
  n: fc.nat(20),
});

function mutate(doc: string[], mutations: Mutation[]): string[] {
  const out = [...doc];
  for (const { at, kind, line, n } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    const current = out[i] ?? '';
    if (kind === 'delete') out.splice(i, 1);
    else if (kind === 'duplicate') out.splice(i, 0, current);
    else if (kind === 'insert') out.splice(i, 0, line);
    else if (kind === 'reindent') out[i] = ' '.repeat(n) + current.trimStart();
    else if (kind === 'cut') out[i] = current.slice(0, n);
    else [out[i], out[(i + n) % out.length]] = [out[(i + n) % out.length] ?? '', current];
  }
  return out;
}

// Thousands of runs take seconds on a loaded machine: the timeout only guards against a hang.
describe('properties', { timeout: 60_000 }, () => {
  it('random lines: never throws, report well formed and bounded', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 60 }), limits, (input, options) => {
        checkReport(parseLines(input, options), options, input.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated KTAP documents: never throws, report well formed and bounded', () => {
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 8 }), limits, (mutations, options) => {
        const input = mutate(KTAP_DOC, mutations);
        checkReport(parseLines(input, options), options, input.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('a line beginning with `not ok`, whatever follows, fails a test or is reported as a problem', () => {
    const notOk = fc
      .tuple(fc.constantFrom('', '  ', '\t', '    '), fc.string({ unit: 'binary', maxLength: 20 }))
      .map(([lead, rest]) => `${lead}not ok${rest.replace(/\n/g, '')}`);
    // The same after a prefixed version line, the `not ok` with the prefix (its digits changed).
    const prefixed = fc.boolean();
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 30 }), fc.nat(30), notOk, prefixed, (input, at, line, withPrefix) => {
        const withFailure = withPrefix ? ['[    0.06] KTAP version 1', ...input] : [...input];
        const first = withPrefix ? 1 : 0;
        withFailure.splice(first + (at % (input.length + 1)), 0, withPrefix ? `[   12.34] ${line}` : line);
        const report = parseLines(withFailure, {});
        const failed = allTests(report.tests).some((test) => test.status === 'fail');
        expect(failed || report.problems.length > 0, JSON.stringify(withFailure)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the unmutated KTAP document parses without problems', () => {
    const report = parseLines(KTAP_DOC, {});
    expect(report.problems).toEqual([]);
    expect(report.tests.map((t) => t.status)).toEqual(['pass', 'pass', 'xfail']);
    expect(report.tests[0]?.subtests.map((t) => t.status)).toEqual(['pass', 'skip']);
  });

  it('random bytes in random chunks: same lines as whole, and the parser copes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300)),
        fc.integer({ min: 1, max: 40 }),
        (bytes, cuts, maxLineLength) => {
          const splitter = new LineSplitter({ maxLineLength });
          const chunked: string[] = [];
          let start = 0;
          for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
            chunked.push(...splitter.push(bytes.subarray(start, cut)));
            start = cut;
          }
          chunked.push(...splitter.end());
          const whole = splitLines(bytes, { maxLineLength });
          expect(chunked).toEqual(whole);
          for (const line of whole) expect(line.length).toBeLessThanOrEqual(maxLineLength + 40);
          checkReport(parseLines(whole, {}), {}, whole.length);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random text with CR LF parses as it does with LF', () => {
    fc.assert(
      fc.property(fc.array(structuredLine, { maxLength: 30 }), (input) => {
        const clean = input.map((line) => line.replaceAll('\r', ''));
        const lf = parseLines(splitLines(clean.map((l) => `${l}\n`).join('')), {});
        const crlf = parseLines(splitLines(clean.map((l) => `${l}\r\n`).join('')), {});
        expect(crlf).toEqual(lf);
      }),
      { numRuns: 500 },
    );
  });
});
