// Every reporter shows what the parser keeps: a parent failed by its subtest, a test's own
// output, tests never reached (not run), and kernel text with control characters in it.
import { Ajv } from 'ajv';
import { Chalk } from 'chalk';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import type { KernelResult, TestResult } from '../../src/model.js';
import { parseSerialOutput } from '../../src/parse/index.js';
import { githubAnnotations, githubSummary } from '../../src/report/github.js';
import { jsonReport } from '../../src/report/json.js';
import { junitReport } from '../../src/report/junit.js';
import { closingLine, renderReport } from '../../src/report/terminal.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

// What a crashed kernel printed: a nested lie, a test's output, a carriage return, a crash mid-suite.
// Parsed and rendered inside each test: done once at module level, it would run before Stryker
// activates a mutant, and the mutants only it reaches would not be counted.
const crashedSerial = () => parseSerialOutput(
  [
    'KTAP version 1',
    '1..3',
    '  KTAP version 1',
    '  # Subtest: parent',
    '  1..2',
    '  ok 1 a',
    '  Expected 1 + 1 == 3, but',
    '  not ok 2 b',
    'ok 1 parent',
    'progress\r50%\r100%',
    'ok 2 copy',
    'Oops: general protection fault',
    '',
  ].join('\n'),
);
const crashedKernel = (serial = crashedSerial()): KernelResult => ({
  id: 'kernel/crashed',
  name: 'crashed',
  package: 'kernel',
  image: '/target/crashed',
  status: 'crash',
  reason: 'the machine reset (a triple fault, or a reboot) instead of exiting through isa-debug-exit',
  tests: serial.tests,
  plannedTests: serial.plannedTests,
  serialFormat: 'ktap',
  lastSerialLines: ['not ok 2 b', 'progress\r50%'],
  serialBytes: 100,
  artifacts: { dir: '/artifacts/crashed', serialLog: '/artifacts/crashed/serial.log' },
  durationMs: 1000,
  qemuCommand: ['qemu-system-x86_64'],
});
const plain = new Chalk({ level: 0 });
const find = (tests: TestResult[], name: string): TestResult | undefined =>
  tests.flatMap((test) => [test, ...test.subtests]).find((test) => test.name === name);

describe('the parsed tree', () => {
  it('is what every reporter below is given', () => {
    const serial = crashedSerial();
    expect(serial.tests.map((test) => [test.name, test.status])).toEqual([
      ['parent', 'fail'],
      ['copy', 'pass'],
      ['test 3', 'notrun'],
    ]);
    expect(find(serial.tests, 'b')?.output).toEqual(['Expected 1 + 1 == 3, but']);
    expect(find(serial.tests, 'copy')?.output).toEqual(['progress\r50%\r100%']);
    expect(find(serial.tests, 'test 3')?.output).toEqual(['Oops: general protection fault']);
  });
});

describe('the terminal report', () => {
  const render = (verbose = false) => renderReport([crashedKernel()], plain, { verbose });

  it('lists the parent failed by its subtest, the test not run, and a failed test\'s output', () => {
    const out = render();
    expect(out).toContain('  ✗ 1 parent — reported ok, but subtests failed: 2 b\n    ✓ 1 a\n    ✗ 2 b\n        > Expected 1 + 1 == 3, but\n');
    expect(out).toContain('  ? 3 test 3 (not run: planned, but the kernel never reported it)\n      > Oops: general protection fault\n');
  });

  it('shows a passing test\'s output only with --verbose', () => {
    expect(render()).not.toContain('> progress');
    expect(render(true)).toContain('  ✓ 2 copy\n      > progress\\r50%\\r100%\n');
  });

  it('never sends a control character raw', () => {
    const out = render();
    expect(out).not.toMatch(/[\r\x1b]/);
    expect(out).toContain('    | progress\\r50%');
  });

  it('counts the test not run in the closing line (the crash is no failure more: a test failed)', () => {
    expect(closingLine(decideOutcome([crashedKernel()]).totals)).toBe('1 passed, 1 failed, 1 not run');
  });
});

describe('junit', () => {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  type Case = { name: string; failure?: Record<string, string>; error?: Record<string, string>; 'system-out'?: string };
  const junitSuite = () => (xml.parse(junitReport([crashedKernel()])) as { testsuites: { testsuite: Array<Record<string, string> & { testcase: Case[] }> } }).testsuites.testsuite[0]!;

  it('gives every subtest its own testcase, a test not run an error, and each test its output as system-out', () => {
    const suite = junitSuite();
    expect(suite.testcase.map((testcase) => testcase.name)).toEqual(['parent › a', 'parent › b', 'copy', 'test 3']);
    expect([suite.tests, suite.failures, suite.errors]).toEqual(['4', '1', '1']);
    expect(suite.testcase[1]!.failure).toBeDefined();
    expect(suite.testcase[1]!['system-out']).toBe('Expected 1 + 1 == 3, but');
    expect(suite.testcase[2]!['system-out']).toBe('progress\\r50%\\r100%');
    expect(suite.testcase[3]!.error).toMatchObject({ type: 'notrun', message: 'not run: planned, but the kernel never reported it' });
  });
});

describe('github', () => {
  it('annotates a test not run, and lists it with its output in the summary', () => {
    expect(githubAnnotations([crashedKernel()], '/repo')).toMatch(/^::error title=kernel\/crashed%3A test 3 not run::planned, but the kernel never reported it; kernel crash/m);
    const summary = githubSummary(decideOutcome([crashedKernel()]));
    expect(summary).toContain('| ❌ | kernel/crashed | 3 | 1 | 1 | 1 | 0 |');
    expect(summary).toContain('- 3 test 3: not run: planned, but the kernel never reported it');
    expect(summary).toContain('  <details><summary>Output of b</summary>\n\n```text\nExpected 1 + 1 == 3, but\n```');
  });
});

describe('json', () => {
  it('keeps output and tests not run, and matches its schema', () => {
    const report = jsonReport(decideOutcome([crashedKernel()]), '0.0.0');
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.totals).toEqual({ passed: 1, failed: 1, skipped: 0, notRun: 1 });
    expect(find(report.kernels[0]!.tests, 'b')?.output).toEqual(['Expected 1 + 1 == 3, but']);
  });
});
