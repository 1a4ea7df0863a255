import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, copyFixtures, ROOT } from './helpers.js';

// The run's outcome is decided once: every reporter's counts and the exit code agree with
// the kernels' verdicts. And an exception nobody threw on purpose is a bug, exit 70.

describe('a kernel configured to fail (the README\'s should_fail example)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outcome-'));
  const json = join(dir, 'report.json');
  const junit = join(dir, 'junit.xml');
  let run: Awaited<ReturnType<typeof alloc>>;

  beforeAll(async () => {
    // misbehaving/panic: test 2 panics, the kernel exits with failure (35), as configured here.
    const fixtures = copyFixtures(dir);
    appendFileSync(join(fixtures, 'misbehaving', 'Cargo.toml'), '\n[package.metadata.alloc-runner.kernels.panic]\nexit-status = 35\n');
    const manifest = join(fixtures, 'misbehaving', 'Cargo.toml');
    run = await alloc(['test', '--manifest-path', manifest, '--filter-kernel', 'misbehaving/panic', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${json}`, '--reporter', 'junit', '--output-file', `junit=${junit}`]);
  });

  it('passes, its failing test an expected failure in every report, and exits 0', () => {
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('PASS  misbehaving panic');
    expect(run.stdout).toMatch(/✓ 2 arithmetic_is_broken \(expected failure: the kernel is configured to fail \(exit-status = 35\): panicked at/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 0 failed');
    const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    expect(report.totals).toEqual({ passed: 2, failed: 0, skipped: 0, notRun: 0 });
    expect(report.kernels[0]!.tests.map((test) => test.status)).toEqual(['pass', 'xfail']);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites name="alloc-runner" tests="2" failures="0" errors="0" skipped="0"/);
  });

  it('merges to the same outcome', async () => {
    const merged = await alloc(['merge', json]);
    expect(merged.exitCode, merged.all).toBe(0);
    expect(merged.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 0 failed');
  });
});

describe('merge of a report that is not well formed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'merge-bad-'));

  it.each([
    ['a kernel with no tests list', { name: 'k', image: '/k', status: 'pass' }, 'kernels[0].tests: missing'],
    ['a test with an unknown status', { name: 'k', image: '/k', status: 'pass', tests: [{ number: 1, name: 't', status: 'great', diagnostics: [], subtests: [] }] }, 'kernels[0].tests[0].status: expected one of pass, fail, skip, xfail, notrun, got "great"'],
  ])('%s: a usage error naming the file and the field', async (_what, kernel, problem) => {
    const file = join(dir, `${problem.length}.json`);
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, tool: { name: 'alloc-runner', version: '0.1.0' }, totals: { passed: 0, failed: 0, skipped: 0 }, kernels: [kernel] }));
    const merged = await alloc(['merge', file]);
    expect(merged.exitCode, merged.all).toBe(2);
    expect(merged.stderr).toContain(`error: ${file}: not a well-formed alloc-runner JSON report: ${problem}`);
    expect(merged.stderr).not.toContain('TypeError');
  });
});

describe('a bug in alloc-runner', () => {
  // A real exception from deep inside a command: writing the report throws a TypeError.
  const inject = join(ROOT, 'test', 'e2e', 'inject-bug.mjs');
  const report = join(mkdtempSync(join(tmpdir(), 'bug-')), 'report.json');
  writeFileSync(report, JSON.stringify({ schemaVersion: 1, tool: { name: 'alloc-runner', version: '0.1.0' }, totals: { passed: 0, failed: 0, skipped: 0 }, kernels: [] }));

  it('exits 70 with one line saying it is a bug, and its stack with --verbose', async () => {
    const plain = await alloc(['merge', report], { nodeOptions: ['--import', inject] });
    expect(plain.exitCode, plain.all).toBe(70);
    expect(plain.stderr.trim()).toBe(`error: internal error, a bug in alloc-runner 0.1.0: TypeError: injected bug; please report it (--verbose shows its stack)`);
    const verbose = await alloc(['merge', '--verbose', report], { nodeOptions: ['--import', inject] });
    expect(verbose.exitCode, verbose.all).toBe(70);
    expect(verbose.stderr).toContain('TypeError: injected bug\n    at ');
  });
});
