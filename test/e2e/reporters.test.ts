import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import type { JsonReport } from '../../src/report/json.js';
import { Parser } from 'tap-parser';
import { parseSerialOutput, readSerialTimes } from '../../src/parse/index.js';
import { alloc, FIXTURES, ROOT } from './helpers.js';

// Every reporter on real runs: the bundled kernel (all pass) and misbehaving kernels
// (a panic, a hang, a triple fault, a VGA mismatch), one run each, as in GitHub Actions.

const validate = new Ajv({ allErrors: true }).compile(schema);
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  testcase: Array<{ name: string; classname: string; time?: string; failure?: { message: string; type: string; '#text': string }; skipped?: unknown }>;
  'system-out': string;
}
type Junit = { testsuites: { tests: string; failures: string; errors: string; skipped: string; testsuite: Suite[] } };

/** A TAP 14 consumer's verdict on a document: ok, and whether it met anything it could not parse. */
function tapConsumerVerdict(text: string): { ok: boolean; parseErrors: number } {
  let verdict = { ok: false, parseErrors: 0 };
  new Parser((final) => {
    verdict = { ok: final.ok, parseErrors: final.failures.filter((failure) => failure.tapError).length };
  }).end(text);
  return verdict;
}

async function runWithEveryReporter(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'reporters-'));
  const file = (name: string) => join(dir, name);
  const run = await alloc(
    [...args, '--reporter', 'default', '--reporter', 'tap', '--reporter', 'ktap', '--reporter', 'junit', '--reporter', 'json',
      '--output-file', `tap=${file('report.tap')}`, '--output-file', `ktap=${file('report.ktap')}`,
      '--output-file', `junit=${file('junit.xml')}`, '--output-file', `json=${file('report.json')}`],
    // github is not asked for: GITHUB_ACTIONS=true adds it, its annotations on stderr (default writes to stdout).
    { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file('summary.md'), GITHUB_WORKSPACE: ROOT } },
  );
  return {
    run,
    tap: readFileSync(file('report.tap'), 'utf8'),
    ktap: readFileSync(file('report.ktap'), 'utf8'),
    junitText: readFileSync(file('junit.xml'), 'utf8'),
    junit: xml.parse(readFileSync(file('junit.xml'), 'utf8')) as Junit,
    json: JSON.parse(readFileSync(file('report.json'), 'utf8')) as JsonReport,
    summary: readFileSync(file('summary.md'), 'utf8'),
  };
}

describe('reporters on the bundled kernel', () => {
  let out: Awaited<ReturnType<typeof runWithEveryReporter>>;
  beforeAll(async () => {
    out = await runWithEveryReporter(['test', '--features', 'global_alloc']);
  });

  it('passes, with a JSON report that matches its schema', () => {
    expect(out.run.exitCode, out.run.all).toBe(0);
    expect(validate(out.json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('times every test and reads the heap figures of the global_alloc kernels, also from the saved serial.times, to the same lines', () => {
    const tests = out.json.kernels.flatMap((kernel) => kernel.tests.map((test) => ({ kernel, test })));
    expect(tests.length).toBeGreaterThan(0);
    for (const { test } of tests) expect(test.durationMs, test.name).toBeGreaterThanOrEqual(0);
    const heap = out.json.kernels.find((kernel) => kernel.name === 'heap_basics')!;
    for (const test of heap.tests) expect(Object.keys(test.metrics ?? {}).sort(), test.name).toEqual(['failed', 'live', 'peak', 'total', 'used']);
    const times = readSerialTimes(readFileSync(heap.artifacts.serialTimes!, 'utf8'));
    const again = parseSerialOutput(readFileSync(heap.artifacts.serialLog), times);
    expect(again.tests.map((test) => test.durationMs)).toEqual(heap.tests.map((test) => test.durationMs));
    expect(again.tests.map((test) => test.serialLines)).toEqual(heap.tests.map((test) => test.serialLines));
    const cases = out.junit.testsuites.testsuite.find((suite) => suite.name === heap.id)!.testcase ?? [];
    expect(cases.map((testcase) => Number(testcase.time))).toEqual(heap.tests.map((test) => test.durationMs! / 1000));
  });

  it("gives every test its lines of serial.log, from its document's start or the line after the previous result to its result line", () => {
    const kernels = out.json.kernels.filter((kernel) => kernel.tests.length > 0);
    expect(kernels.length).toBeGreaterThan(2);
    for (const kernel of kernels) {
      const log = readFileSync(kernel.artifacts.serialLog, 'utf8').split('\n');
      expect(log[kernel.tests[0]!.serialLines!.first - 1], kernel.id).toBe('KTAP version 1');
      for (const [index, test] of kernel.tests.entries()) {
        const { first, last } = test.serialLines!;
        if (index > 0) expect(first, test.name).toBe(kernel.tests[index - 1]!.serialLines!.last + 1);
        expect(log[last - 1], test.name).toMatch(new RegExp(`^(not )?ok ${test.number} ${test.name}( #|$)`));
      }
    }
  });

  it('writes JUnit with a suite per kernel and a testcase per test, counted as the JSON counts', () => {
    const { testsuites } = out.junit;
    expect(testsuites.testsuite.map((suite) => suite.name)).toEqual(out.json.kernels.map((kernel) => `${kernel.package}/${kernel.name}`));
    const { passed, failed, skipped } = out.json.totals;
    expect([Number(testsuites.tests), Number(testsuites.failures), Number(testsuites.errors), Number(testsuites.skipped)]).toEqual([passed + failed + skipped, 0, 0, skipped]);
    for (const [index, suite] of testsuites.testsuite.entries()) {
      const kernel = out.json.kernels[index]!;
      expect((suite.testcase ?? []).map((testcase) => testcase.name)).toEqual(kernel.tests.map((test) => test.name));
      expect(Number(suite.time)).toBeCloseTo(kernel.durationMs / 1000, 2);
      // test_allocator never exits: it has no tests and no handshake, and passes by its screen.
      if (kernel.name === 'test_allocator') continue;
      expect(suite['system-out']).toContain('KTAP version 1');
      expect(suite['system-out']).toContain('# alloc-runner: screen ready');
    }
  });

  it('writes TAP 14 that a TAP consumer (tap-parser) passes, expected failures as TODO', () => {
    expect(tapConsumerVerdict(out.tap)).toEqual({ ok: true, parseErrors: 0 });
    expect(out.tap).toMatch(/^ {4}not ok \d+ long_lived_exhaustion # TODO /m);
  });

  it('writes one KTAP document that nests each kernel\'s tests, XFAIL kept', () => {
    const parsed = parseSerialOutput(out.ktap);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tests.map((test) => [test.name, test.status])).toEqual(out.json.kernels.map((kernel) => [`${kernel.package}/${kernel.name}`, 'pass']));
    expect(parsed.tests.flatMap((test) => test.subtests.map((sub) => [sub.name, sub.status]))).toEqual(
      out.json.kernels.flatMap((kernel) => kernel.tests.map((test) => [test.name, test.status])),
    );
    expect(out.ktap).toMatch(/^ {2}not ok \d+ long_lived_exhaustion # XFAIL /m);
  });

  it('writes no annotation for a passing run, and a summary table', () => {
    expect(out.run.stdout).not.toContain('::error');
    expect(out.summary).toMatch(/^## alloc-runner: \d+ passed, 0 failed$/m);
    expect(out.summary).toContain('| ✅ | kernel/heap_basics |');
  });

  it('prints plain lines without a terminal: no colour, no cursor movement', () => {
    expect(out.run.stdout).not.toMatch(/[\x1b\r]/);
    expect(out.run.stderr).not.toMatch(/[\x1b\r]/);
  });
});

describe('reporters on misbehaving kernels', () => {
  let out: Awaited<ReturnType<typeof runWithEveryReporter>>;
  const suite = (name: string) => out.junit.testsuites.testsuite.find((found) => found.name === `misbehaving/${name}`)!;
  beforeAll(async () => {
    const kernels = ['panic', 'hang', 'triple_fault', 'vga_mismatch'].flatMap((name) => ['--filter-kernel', `misbehaving/${name}`]);
    out = await runWithEveryReporter(['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), '--jobs', '4', ...kernels]);
  });

  it('fails, with a JSON report that matches its schema, its kernels in the order of their ids', () => {
    expect(out.run.exitCode, out.run.all).toBe(1);
    expect(validate(out.json), JSON.stringify(validate.errors)).toBe(true);
    expect(out.json.kernels.map((kernel) => kernel.id)).toEqual(['misbehaving/hang', 'misbehaving/panic', 'misbehaving/triple_fault', 'misbehaving/vga_mismatch']);
    expect(out.junit.testsuites.testsuite.map((found) => found.name)).toEqual(out.json.kernels.map((kernel) => kernel.id));
  });

  it("gives a failing test its lines with its panic, and a test not run what the kernel printed as it stopped", () => {
    const lines = (name: string, test: number) => {
      const kernel = out.json.kernels.find((found) => found.name === name)!;
      const { first, last } = kernel.tests[test]!.serialLines!;
      return readFileSync(kernel.artifacts.serialLog, 'utf8').split('\n').slice(first - 1, last);
    };
    expect(lines('panic', 1)).toEqual([
      '# panicked at misbehaving/tests/panic.rs:19:5:',
      '# assertion `left == right` failed: arithmetic is broken',
      '#   left: 2',
      '#  right: 3',
      'not ok 2 arithmetic_is_broken',
    ]);
    expect(lines('hang', 0)).toEqual(['KTAP version 1', '1..1']);
  });

  it('gives JUnit failures with the reason, the panic and the serial tail, and a testcase for kernels that failed beyond their tests', () => {
    const { testsuites } = out.junit;
    expect(Number(testsuites.failures)).toBe(out.json.totals.failed);
    const panicked = suite('panic').testcase.find((testcase) => testcase.failure)!;
    expect(panicked.name).toBe('arithmetic_is_broken');
    expect(panicked.failure!.type).toBe('panic');
    expect(panicked.failure!.message).toContain('panicked at misbehaving/tests/panic.rs:19:5: assertion `left == right` failed');
    expect(panicked.failure!['#text']).toContain('right: 3');
    expect(panicked.failure!['#text']).toContain('last serial lines:');
    for (const [name, type, text] of [['hang', 'hang', 'no exit within 3 s'], ['triple_fault', 'crash', 'the machine reset'], ['vga_mismatch', 'fail', 'Hello from VGA']] as const) {
      const kernelCase = suite(name).testcase.at(-1)!;
      expect(kernelCase.name).toBe(`${name} (kernel)`);
      expect(kernelCase.failure?.type).toBe(type);
      expect(kernelCase.failure?.['#text']).toContain(text);
      expect(Number(suite(name).failures)).toBe(1);
    }
  });

  it('marks failures in KTAP and TAP 14, each kernel a failed subtest', () => {
    const parsed = parseSerialOutput(out.ktap);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tests.every((test) => test.status === 'fail')).toBe(true);
    expect(out.ktap).toMatch(/^ {2}# not run: planned, but the kernel never reported it\n {2}not ok 1 test 1$/m);
    expect(out.ktap).toMatch(/^ {2}not ok 2 hang \(kernel\)$/m);
    expect(tapConsumerVerdict(out.tap)).toEqual({ ok: false, parseErrors: 0 });
  });

  it('annotates the panic at its file and line in the repository, and the other failures by title', () => {
    expect(out.run.stderr).toMatch(/^::error file=fixtures\/misbehaving\/tests\/panic\.rs,line=19,col=5,title=misbehaving\/panic%3A arithmetic_is_broken failed::panicked at/m);
    // Five failures, under GitHub's ten: every one annotated, in the order of the kernels' ids.
    const titles = [...out.run.stderr.matchAll(/^::error (?:file=[^,]+,line=\d+,col=\d+,)?title=(.+?)::/gm)].map((match) => match[1]);
    expect(titles).toEqual([
      'misbehaving/hang%3A test 1 not run',
      'misbehaving/hang%3A kernel hang',
      'misbehaving/panic%3A arithmetic_is_broken failed',
      'misbehaving/triple_fault%3A kernel crash',
      'misbehaving/vga_mismatch%3A kernel fail',
    ]);
    expect(out.run.stderr).not.toContain('::notice');
    expect(out.run.stdout).not.toContain('::error');
  });

  it('summarises with a table and the screens of the failing kernels', () => {
    expect(out.summary).toMatch(/^\| ❌ \| misbehaving\/vga_mismatch \| 2 \| 1 \| 1 \| 0 \| 0 \| [\d.]+ s \| fail: the VGA screen should contain "Goodbye" but shows: \|$/m);
    expect(out.summary).toContain('### ❌ misbehaving/vga_mismatch: fail');
    expect(out.summary).toMatch(/VGA screen:\n\n```text\nBooted in 64-bit long mode\nRunning 1 test\nHello from VGA/);
  });
});

describe('colour', () => {
  it('is used without a terminal only with FORCE_COLOR', async () => {
    const run = await alloc(['test', '--features', 'global_alloc', '--filter-kernel', 'no_alloc'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('\x1b[');
    expect(run.stdout).not.toContain('\r');
  });
});
