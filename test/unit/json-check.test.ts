// What `merge` accepts of a JSON report: every report alloc-runner writes, and nothing whose
// fields a reporter would choke on; the problem names the field, as the usage error shows it.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import { jsonReportProblem } from '../../src/report/json-check.js';
import { jsonReport } from '../../src/report/json.js';
import { decideOutcome } from '../../src/verdict/outcome.js';
import { kernelResult, testResult } from '../support/results.js';

const panic = { message: 'boom', file: 'src/lib.rs', line: 7, column: 3 };

/** A report with every field, optional ones included, as JSON would bring it back. */
function fullReport(): Record<string, any> {
  const kernel = kernelResult('k', {
    reason: 'a test failed',
    status: 'fail',
    exitStatus: 35,
    plannedTests: 2,
    inFlight: 'k::t',
    panic,
    screenText: 'Allocator works!',
    noScreenReason: 'none',
    artifacts: {
      dir: '/a',
      serialLog: '/a/serial.log',
      serialTimes: '/a/serial.times',
      screenText: '/a/vga.txt',
      screenshot: '/a/vga.png',
      firmwareLog: '/a/firmware.log',
      qemuStderr: '/a/qemu.stderr.log',
      incomplete: ['vga.png: disk full'],
    },
    accelerator: 'tcg',
    qemuCommand: ['qemu-system-x86_64', '-nographic'],
    sourceRoot: '/repo',
    cached: false,
    tests: [
      testResult(1, 'parent', 'fail', {
        reason: 'why',
        panic,
        diagnostics: ['heap: used=1'],
        output: ['printed'],
        subtests: [testResult(1, 'child', 'notrun', { subtests: [testResult(1, 'grandchild', 'xfail')] })],
      }),
      testResult(2, 'skipped', 'skip'),
      testResult(3, 'passed', 'pass'),
    ],
  });
  return JSON.parse(JSON.stringify(jsonReport(decideOutcome([kernel]), '1.0.0', { index: 1, count: 2 })));
}

describe('checking a JSON report before merging it', () => {
  it('accepts every report alloc-runner writes, each status and format included, as its schema does', () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const report = fullReport();
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(jsonReportProblem(report)).toBeUndefined();
    for (const status of ['pass', 'fail', 'crash', 'hang', 'error', 'interrupted']) {
      report.kernels[0].status = status;
      expect(jsonReportProblem(report), status).toBeUndefined();
    }
    for (const format of ['ktap', 'blog_os', 'none']) {
      report.kernels[0].serialFormat = format;
      expect(jsonReportProblem(report), format).toBeUndefined();
    }
    for (const status of ['pass', 'fail', 'skip', 'xfail', 'notrun']) {
      report.kernels[0].tests[0].subtests[0].status = status;
      expect(jsonReportProblem(report), status).toBeUndefined();
    }
  });

  it('accepts a report without its optional fields (older versions wrote no kernel id)', () => {
    const minimal = { kernels: [{ name: 'k', image: '/k', status: 'pass', tests: [], serialFormat: 'none', lastSerialLines: [], serialBytes: 0, artifacts: { dir: '/a', serialLog: '/a/s' }, durationMs: 1, qemuCommand: [] }] };
    expect(jsonReportProblem(minimal)).toBeUndefined();
    expect(jsonReportProblem({ kernels: [] })).toBeUndefined();
  });

  it.each([
    ['kernels', (r) => delete r.kernels, 'kernels: missing'],
    ['a kernel', (r) => (r.kernels[0] = null), 'kernels[0]: expected an object, got null'],
    ['a kernel list', (r) => (r.kernels = { 0: 1 }), 'kernels: expected a list, got {"0":1}'],
    ['a kernel as a list', (r) => (r.kernels[0] = []), 'kernels[0]: expected an object, got []'],
    ['the shard', (r) => (r.shard.count = 'two'), 'shard.count: expected a whole number, got "two"'],
    ['the shard index', (r) => delete r.shard.index, 'shard.index: missing'],
    ['the kernel id', (r) => (r.kernels[0].id = 7), 'kernels[0].id: expected a string, got 7'],
    ['the kernel name', (r) => delete r.kernels[0].name, 'kernels[0].name: missing'],
    ['the package', (r) => (r.kernels[0].package = null), 'kernels[0].package: expected a string, got null'],
    ['the image', (r) => (r.kernels[0].image = ['/k']), 'kernels[0].image: expected a string, got ["/k"]'],
    ['the kernel status', (r) => (r.kernels[0].status = 'passed'), 'kernels[0].status: expected one of pass, fail, crash, hang, error, interrupted, got "passed"'],
    ['the reason', (r) => (r.kernels[0].reason = 1), 'kernels[0].reason: expected a string, got 1'],
    ['the exit status', (r) => (r.kernels[0].exitStatus = 1.5), 'kernels[0].exitStatus: expected a whole number, got 1.5'],
    ['a test', (r) => (r.kernels[0].tests[1] = 'ok'), 'kernels[0].tests[1]: expected an object, got "ok"'],
    ['a test number', (r) => (r.kernels[0].tests[0].number = '1'), 'kernels[0].tests[0].number: expected a whole number, got "1"'],
    ['a test name', (r) => (r.kernels[0].tests[0].name = false), 'kernels[0].tests[0].name: expected a string, got false'],
    ['a test status', (r) => (r.kernels[0].tests[0].status = 'crash'), 'kernels[0].tests[0].status: expected one of pass, fail, skip, xfail, notrun, got "crash"'],
    ['a test reason', (r) => (r.kernels[0].tests[0].reason = {}), 'kernels[0].tests[0].reason: expected a string, got {}'],
    ['a test panic', (r) => (r.kernels[0].tests[0].panic.line = '7'), 'kernels[0].tests[0].panic.line: expected a whole number, got "7"'],
    ['a panic message', (r) => delete r.kernels[0].tests[0].panic.message, 'kernels[0].tests[0].panic.message: missing'],
    ['a panic file', (r) => (r.kernels[0].panic.file = 1), 'kernels[0].panic.file: expected a string, got 1'],
    ['a panic column', (r) => (r.kernels[0].panic.column = 0.5), 'kernels[0].panic.column: expected a whole number, got 0.5'],
    ['the diagnostics', (r) => (r.kernels[0].tests[0].diagnostics = [1]), 'kernels[0].tests[0].diagnostics[0]: expected a string, got 1'],
    ['the output', (r) => (r.kernels[0].tests[0].output = 'printed'), 'kernels[0].tests[0].output: expected a list, got "printed"'],
    ['a subtest, deep', (r) => (r.kernels[0].tests[0].subtests[0].subtests[0].status = 'ok'), 'kernels[0].tests[0].subtests[0].subtests[0].status: expected one of pass, fail, skip, xfail, notrun, got "ok"'],
    ['the tests', (r) => delete r.kernels[0].tests, 'kernels[0].tests: missing'],
    ['the planned count', (r) => (r.kernels[0].plannedTests = '2'), 'kernels[0].plannedTests: expected a whole number, got "2"'],
    ['the test in flight', (r) => (r.kernels[0].inFlight = 1), 'kernels[0].inFlight: expected a string, got 1'],
    ['the serial format', (r) => (r.kernels[0].serialFormat = 'tap'), 'kernels[0].serialFormat: expected one of ktap, blog_os, none, got "tap"'],
    ['the last serial lines', (r) => (r.kernels[0].lastSerialLines = [null]), 'kernels[0].lastSerialLines[0]: expected a string, got null'],
    ['the serial bytes', (r) => (r.kernels[0].serialBytes = 1.5), 'kernels[0].serialBytes: expected a whole number, got 1.5'],
    ['the screen text', (r) => (r.kernels[0].screenText = 1), 'kernels[0].screenText: expected a string, got 1'],
    ['why there is no screen', (r) => (r.kernels[0].noScreenReason = 1), 'kernels[0].noScreenReason: expected a string, got 1'],
    ['the artifacts', (r) => (r.kernels[0].artifacts = '/a'), 'kernels[0].artifacts: expected an object, got "/a"'],
    ['the artifacts folder', (r) => delete r.kernels[0].artifacts.dir, 'kernels[0].artifacts.dir: missing'],
    ['the serial log', (r) => (r.kernels[0].artifacts.serialLog = 1), 'kernels[0].artifacts.serialLog: expected a string, got 1'],
    ['the screen text file', (r) => (r.kernels[0].artifacts.screenText = 1), 'kernels[0].artifacts.screenText: expected a string, got 1'],
    ['the serial times', (r) => (r.kernels[0].artifacts.serialTimes = 1), 'kernels[0].artifacts.serialTimes: expected a string, got 1'],
    ['the screenshot', (r) => (r.kernels[0].artifacts.screenshot = 1), 'kernels[0].artifacts.screenshot: expected a string, got 1'],
    ['the firmware log', (r) => (r.kernels[0].artifacts.firmwareLog = ['/a/firmware.log']), 'kernels[0].artifacts.firmwareLog: expected a string, got ["/a/firmware.log"]'],
    ["QEMU's stderr log", (r) => (r.kernels[0].artifacts.qemuStderr = false), 'kernels[0].artifacts.qemuStderr: expected a string, got false'],
    ['the incomplete artifacts', (r) => (r.kernels[0].artifacts.incomplete = [1]), 'kernels[0].artifacts.incomplete[0]: expected a string, got 1'],
    ['the duration', (r) => (r.kernels[0].durationMs = '1'), 'kernels[0].durationMs: expected a number, got "1"'],
    ['the accelerator', (r) => (r.kernels[0].accelerator = 1), 'kernels[0].accelerator: expected a string, got 1'],
    ['the QEMU command', (r) => (r.kernels[0].qemuCommand = [1]), 'kernels[0].qemuCommand[0]: expected a string, got 1'],
    ['the source root', (r) => (r.kernels[0].sourceRoot = 1), 'kernels[0].sourceRoot: expected a string, got 1'],
    ['cached', (r) => (r.kernels[0].cached = 'yes'), 'kernels[0].cached: expected true or false, got "yes"'],
  ] as Array<[string, (report: Record<string, any>) => unknown, string]>)('names %s when it is missing or of the wrong type', (_what, spoil, problem) => {
    const report = fullReport();
    spoil(report);
    expect(jsonReportProblem(report)).toBe(problem);
  });

  it('takes a duration that is a fraction, never one that is not finite', () => {
    const report = fullReport();
    report.kernels[0].durationMs = 1.25;
    expect(jsonReportProblem(report)).toBeUndefined();
    report.kernels[0].durationMs = Number.POSITIVE_INFINITY;
    expect(jsonReportProblem(report)).toBe('kernels[0].durationMs: expected a number, got null');
  });

  it('names the first problem in the order of the fields, and shows a long value cut', () => {
    const report = fullReport();
    report.kernels[1] = { ...report.kernels[0], name: 9, status: 'bad' };
    expect(jsonReportProblem(report)).toBe('kernels[1].name: expected a string, got 9');
    report.kernels[1].name = 'k2';
    report.kernels[1].status = 'y'.repeat(50);
    expect(jsonReportProblem(report)).toBe(`kernels[1].status: expected one of pass, fail, crash, hang, error, interrupted, got "${'y'.repeat(39)}…`);
    expect(jsonReportProblem(undefined)).toBe('report: expected an object, got nothing');
    report.kernels[1].status = 'z'.repeat(38);
    expect(jsonReportProblem(report)).toBe(`kernels[1].status: expected one of pass, fail, crash, hang, error, interrupted, got "${'z'.repeat(38)}"`);
  });
});
