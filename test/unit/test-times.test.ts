import { XMLParser } from 'fast-xml-parser';
import { Ajv } from 'ajv';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import type { KernelResult, TestResult } from '../../src/model.js';
import { junitReport } from '../../src/report/junit.js';
import { jsonReport } from '../../src/report/json.js';
import { ktapReport, tapReport } from '../../src/report/tap.js';
import { renderReport } from '../../src/report/terminal.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

// Per-test times and heap figures in every report that has a place for them.

const test = (number: number, name: string, extra: Partial<TestResult> = {}): TestResult => ({ number, name, status: 'pass', diagnostics: [], subtests: [], ...extra });
const timedKernel: KernelResult = {
  id: 'kernel/heap_basics',
  name: 'heap_basics',
  package: 'kernel',
  image: '/target/heap_basics',
  status: 'pass',
  tests: [
    test(1, 'box_allocation', { durationMs: 12, diagnostics: ['heap: used=16 peak=4096'], metrics: { used: 16, peak: 4096 } }),
    test(2, 'slow_one', { durationMs: 1250 }),
  ],
  serialFormat: 'ktap',
  lastSerialLines: [],
  serialBytes: 10,
  artifacts: { dir: '/a', serialLog: '/a/serial.log', serialTimes: '/a/serial.times' },
  durationMs: 1300,
  qemuCommand: [],
};

describe('per-test times and metrics in the reports', () => {
  it('JUnit: a time on each testcase and the heap figures as its properties', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testcase', 'property'].includes(name) });
    const cases = (xml.parse(junitReport([timedKernel])) as { testsuites: { testsuite: { testcase: Array<Record<string, unknown>> } } }).testsuites.testsuite.testcase;
    expect(cases.map((c) => c.time)).toEqual(['0.012', '1.250']);
    expect((cases[0]?.properties as { property: unknown[] }).property).toEqual([{ name: 'used', value: '16' }, { name: 'peak', value: '4096' }]);
    expect(cases[1]).not.toHaveProperty('properties');
  });

  it('TAP and KTAP: a `# time=` diagnostic before each timed result', () => {
    for (const report of [tapReport([timedKernel]), ktapReport([timedKernel])]) {
      expect(report).toMatch(/# time=12ms\n\s*ok 1 box_allocation/);
      expect(report).toMatch(/# time=1250ms\n\s*ok 2 slow_one/);
    }
  });

  it('JSON: durationMs and metrics per test, valid by the schema', () => {
    const report = jsonReport(decideOutcome([timedKernel], {}), '9.9.9');
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.kernels[0]?.tests[0]).toMatchObject({ durationMs: 12, metrics: { used: 16, peak: 4096 } });
  });

  it('terminal: tests slower than the threshold are marked, none with 0', () => {
    const plain = new Chalk({ level: 0 });
    const lines = renderReport([timedKernel], plain, { verbose: false, slowTestMs: 300 }).split('\n');
    expect(lines).toContain('  ✓ 2 slow_one 1250 ms, slow');
    expect(lines).toContain('  ✓ 1 box_allocation');
    expect(renderReport([timedKernel], plain, { verbose: false, slowTestMs: 0 })).not.toContain('slow,');
    expect(renderReport([timedKernel], plain, { verbose: false, slowTestMs: 0 })).not.toContain('ms, slow');
  });
});
