import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, FIXTURES, ROOT } from './helpers.js';

// What a CI log and CI files get: under GitHub Actions, the github reporter must not spoil
// another reporter's stdout, must stay within GitHub's annotation limits, and must point
// only at files that exist. --output-file NAME=PATH is enough to get reporter NAME.

describe('under GitHub Actions, the misbehaving suite with --reporter json on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-output-'));
  const junit = join(dir, 'junit.xml');
  let run: Awaited<ReturnType<typeof alloc>>;

  beforeAll(async () => {
    run = await alloc(['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), '--reporter', 'json', '--output-file', `junit=${junit}`, '--jobs', '4'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ROOT, GITHUB_STEP_SUMMARY: join(dir, 'summary.md') },
    });
  });

  const annotations = (kind: string) => run.stderr.split('\n').filter((line) => line.startsWith(`::${kind} `));

  it('keeps stdout the JSON report, and writes the annotations to stderr', () => {
    expect(run.exitCode, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.kernels.length).toBeGreaterThan(10);
    expect(annotations('error').length).toBeGreaterThan(0);
  });

  it('writes the JUnit file --output-file names, without --reporter junit', () => {
    const doc = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8')) as { testsuites: { testsuite: unknown[] } };
    expect(doc.testsuites.testsuite.length).toBeGreaterThan(10);
  });

  it('annotates ten failures, then says in one notice how many more there are', () => {
    expect(annotations('error')).toHaveLength(10);
    const notices = annotations('notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^::notice title=alloc-runner::\d+ more failures are not annotated \(GitHub shows 10 per step\)/);
  });

  it('points annotations only at files that exist, relative to GITHUB_WORKSPACE', () => {
    const files = annotations('error').flatMap((line) => /file=([^,]+)/.exec(line)?.[1] ?? []);
    expect(files).toContain('fixtures/misbehaving/tests/panic.rs');
    for (const file of files) expect(existsSync(join(ROOT, file)), file).toBe(true);
  });
});

describe('--output-file mistakes (exit 2, before building)', () => {
  it.each([
    [['--output-file', 'json=r.out', '--output-file', 'junit=r.out'], '--output-file json=… and junit=r.out: both reporters would write'],
    [['--output-file', 'json=a.json', '--output-file', 'json=b.json'], 'a reporter writes one file; give json one path'],
  ])('%j', async (args, message) => {
    const run = await alloc(['test', ...args], { cwd: mkdtempSync(join(tmpdir(), 'output-file-')) });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
