import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { kernelResult, testResult } from '../support/results.js';
import { chooseReporters } from '../../src/report/choice.js';
import { writeReports, type ReportSettings } from '../../src/report/index.js';
import { progress } from '../../src/report/progress.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

const dir = mkdtempSync(join(tmpdir(), 'reporters-'));
const kernel = (name: string, extra: Partial<KernelResult> = {}): KernelResult =>
  kernelResult(name, {
    tests: [testResult(1, 'a', 'pass')],
    lastSerialLines: ['ok 1 a'],
    serialBytes: 7,
    artifacts: { dir: join(dir, name), serialLog: join(dir, name, 'serial.log') },
    ...extra,
  });
type Settings = Omit<Partial<ReportSettings>, 'reporters'> & { reporters?: string[]; outputFiles?: string[] };
const settings = ({ reporters = [], outputFiles = [], ...extra }: Settings): ReportSettings => ({
  reporters: chooseReporters(reporters, outputFiles, {}),
  color: new Chalk({ level: 0 }),
  verbose: false,
  version: '9.9.9',
  ...extra,
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('choosing reporters and files', () => {
  it('refuses an unknown reporter or a malformed --output-file with the usage code, naming the choices', () => {
    expect(() => chooseReporters(['junit', 'xml'], [], {})).toThrow(
      expect.objectContaining({ exitCode: 2, message: '--reporter xml: unknown reporter; choose from default, json, tap, ktap, junit, github, quiet, html' }),
    );
    for (const bad of ['junit', 'junit=', '=x.xml', 'xml=x.xml']) {
      expect(() => chooseReporters([], [bad], {}), bad).toThrow(
        expect.objectContaining({ exitCode: 2, message: `--output-file ${bad}: expected REPORTER=PATH with a reporter from default, json, tap, ktap, junit, github, quiet, html` }),
      );
    }
  });

  it('keeps an = inside the path and resolves the path', () => {
    expect(chooseReporters(['json'], ['json=out/a=b.json'], {})).toEqual([{ name: 'json', destination: { to: 'file', path: join(process.cwd(), 'out/a=b.json') } }]);
  });
});

describe('writing reports', () => {
  it('writes each reporter to its file (folders made) or to stdout', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const json = join(dir, 'deep', 'er', 'report.json');
    await writeReports(decideOutcome([kernel('k')]), settings({ reporters: ['default', 'json'], outputFiles: [`json=${json}`], artifactsRoot: '/runs/1', shard: { index: 1, count: 2 } }));
    expect(stdout.mock.calls.map(([text]) => text)).toEqual(['PASS  kernel k (1 test, 1.00 s)\n  ✓ 1 a\n\nArtifacts: /runs/1\n1 passed, 0 failed\n']);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'alloc-runner', version: '9.9.9' }, shard: { index: 1, count: 2 }, totals: { passed: 1, failed: 0, skipped: 0 } });
    expect(readFileSync(json, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('ends the default report without an artifacts line when there is no run folder (a merge)', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await writeReports(decideOutcome([kernel('k')]), settings({}));
    expect(stdout.mock.calls[0]![0]).toBe('PASS  kernel k (1 test, 1.00 s)\n  ✓ 1 a\n1 passed, 0 failed\n');
  });

  it('gives JUnit the serial log from its file, only its last MiB of a flood, and the last lines when the file is gone', async () => {
    const small = kernel('small');
    const big = kernel('big');
    const gone = kernel('gone', { artifacts: { dir, serialLog: join(dir, 'no', 'such.log') }, lastSerialLines: ['only', 'these'] });
    mkdirSync(small.artifacts.dir, { recursive: true });
    mkdirSync(big.artifacts.dir, { recursive: true });
    writeFileSync(small.artifacts.serialLog, 'whole small log');
    writeFileSync(big.artifacts.serialLog, `${'a'.repeat(10)}${'b'.repeat(1024 * 1024)}`);
    const file = join(dir, 'junit.xml');
    await writeReports(decideOutcome([small, big, gone]), settings({ reporters: ['junit'], outputFiles: [`junit=${file}`] }));
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('<system-out>whole small log</system-out>');
    expect(xml).toContain(`<system-out>[alloc-runner: the first 10 bytes of ${big.artifacts.serialLog} are left out]\n${'b'.repeat(1024 * 1024)}</system-out>`);
    expect(xml).toContain('<system-out>only\nthese</system-out>');
  });

  it('appends the GitHub job summary to the file GitHub names, and annotates relative to the workspace', async () => {
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, 'earlier step\n');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    // Annotations name only files that exist: the panic's file is there.
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'k', 'src'), { recursive: true });
    writeFileSync(join(repo, 'k', 'src', 'x.rs'), '');
    vi.stubEnv('GITHUB_WORKSPACE', repo);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const failing = kernel('f', { status: 'fail', reason: 'r', tests: [{ number: 1, name: 'a', status: 'fail', diagnostics: [], subtests: [], panic: { file: 'src/x.rs', line: 1, column: 1, message: 'm' } }], sourceRoot: join(repo, 'k') });
    await writeReports(decideOutcome([failing]), settings({ reporters: ['github'] }));
    expect(stdout.mock.calls[0]![0]).toBe('::error file=k/src/x.rs,line=1,col=1,title=kernel/f%3A a failed::panicked at src/x.rs:1:1:%0Am\n');
    expect(readFileSync(summary, 'utf8')).toMatch(/^earlier step\n## alloc-runner: 0 passed, 1 failed\n/);
  });

  it('writes tap and quiet to stdout', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    await writeReports(decideOutcome([kernel('k')]), settings({ reporters: ['quiet', 'tap'] }));
    expect(stdout.mock.calls[0]![0]).toBe('alloc-runner: 1 passed, 0 failed (1 kernel)\n');
    expect(stdout.mock.calls[1]![0]).toMatch(/^TAP version 14\n[^]*\nok 1 kernel\/k\n$/);
  });
});

describe('writing reports, what else they show', () => {
  it('writes every report it can, then names each one it could not write, the job summary too', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const folder = mkdtempSync(join(dir, 'folder-'));
    const summaryFolder = mkdtempSync(join(dir, 'summary-'));
    vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFolder);
    const run = writeReports(decideOutcome([kernel('k')]), settings({ reporters: ['github', 'quiet'], outputFiles: [`json=${folder}`, `junit=${dir}`] }));
    const error = await run.then(() => undefined, (thrown: unknown) => thrown as Error & { exitCode: number });
    expect(error?.exitCode).toBe(4);
    expect(error?.message).toBe(
      `could not write the job summary to GITHUB_STEP_SUMMARY=${summaryFolder}: it is a folder, not a file (EISDIR); the json report to ${folder}: it is a folder, not a file (EISDIR); the junit report to ${dir}: it is a folder, not a file (EISDIR)`,
    );
    expect(stdout.mock.calls.map(([text]) => text)).toEqual(['alloc-runner: 1 passed, 0 failed (1 kernel)\n']);
  });

  it('appends the job summary only once, for the github reporter', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const summary = join(dir, 'once.md');
    writeFileSync(summary, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    await writeReports(decideOutcome([kernel('k')]), settings({ reporters: ['quiet', 'github', 'tap'] }));
    expect(readFileSync(summary, 'utf8').match(/## alloc-runner/g)).toHaveLength(1);
  });

  it('gives the default report --verbose and the slow-test mark, and writes ktap and html', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    const slow = kernel('slow', { tests: [testResult(1, 'a', 'pass', { durationMs: 500, diagnostics: ['said'] })] });
    const html = join(dir, 'page.html');
    await writeReports(decideOutcome([slow]), settings({ reporters: ['default', 'ktap'], outputFiles: [`html=${html}`], verbose: true, slowTestMs: 100 }));
    expect(stdout.mock.calls[0]![0]).toContain('  ✓ 1 a 500 ms, slow\n      # said\n');
    expect(stdout.mock.calls[1]![0]).toMatch(/^KTAP version 1\n1\.\.1\n/);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>[^]*<title>alloc-runner: passed, 1 passed, 0 failed<\/title>/);
  });

  it('puts a failing kernel\'s screenshot into the html page when its file is there, and leaves it out when not', async () => {
    const png = join(dir, 'vga.png');
    writeFileSync(png, 'PNG');
    const shown = kernel('shown', { status: 'fail', reason: 'r', artifacts: { dir, serialLog: join(dir, 'none.log'), screenshot: png } });
    const gone = kernel('gone', { status: 'fail', reason: 'r', artifacts: { dir, serialLog: join(dir, 'none.log'), screenshot: join(dir, 'gone.png') } });
    const html = join(dir, 'shots.html');
    await writeReports(decideOutcome([shown, gone]), settings({ outputFiles: [`html=${html}`], reporters: ['html'] }));
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<img /g)).toHaveLength(1);
    expect(page).toContain(`alt="VGA screen of kernel/shown" src="data:image/png;base64,${Buffer.from('PNG').toString('base64')}"`);
  });
});

describe('the progress line', () => {
  const stream = (isTTY: boolean, columns?: number) => {
    const written: string[] = [];
    const fake = { isTTY, columns, write: (text: string) => written.push(text), on: () => fake, off: () => fake };
    return { written, stream: fake as unknown as NodeJS.WriteStream };
  };
  const terminal = { TERM: 'xterm-256color' };

  it('says what is running and how many are done, cut to the width, and prints log lines above it', () => {
    const { written, stream: tty } = stream(true, 30);
    const bar = progress(3, tty, terminal);
    bar.started('heap_basics');
    bar.started('no_alloc');
    bar.finished('heap_basics');
    bar.log('a line');
    bar.done();
    expect(written).toEqual([
      '0/3 done; running: heap_basic',
      '\r\x1b[J', '0/3 done; running: heap_basic',
      '\r\x1b[J', '1/3 done; running: no_alloc',
      '\r\x1b[J', 'a line\n', '1/3 done; running: no_alloc',
      '\r\x1b[J',
    ]);
  });

  it('takes 0 columns as 80, and erases every row of a line wrapped by a narrower terminal', () => {
    const zero = stream(true, 0);
    progress(1, zero.stream, terminal).started('k'.repeat(100));
    expect(zero.written[0]).toHaveLength(79);
    const resized = stream(true, 80);
    const bar = progress(1, resized.stream, terminal);
    bar.started('k'.repeat(40));
    (resized.stream as { columns: number }).columns = 20;
    bar.finished('k'.repeat(40));
    expect(resized.written.slice(1)).toEqual(['\r\x1b[2A\x1b[J', '1/1 done']);
  });

  it('lists every running kernel, and redraws on a resize of the terminal until it is done', () => {
    const written: string[] = [];
    const listeners = new Map<string, () => void>();
    const tty = {
      isTTY: true,
      columns: 80,
      write: (text: string) => written.push(text),
      on: (event: string, listener: () => void) => listeners.set(event, listener),
      off: (event: string, listener: () => void) => listeners.get(event) === listener && listeners.delete(event),
    } as unknown as NodeJS.WriteStream;
    const bar = progress(2, tty, terminal);
    bar.started('a');
    bar.started('b');
    expect(written.at(-1)).toBe('0/2 done; running: a, b');
    written.length = 0;
    listeners.get('resize')?.();
    expect(written).toEqual(['\r\x1b[J', '0/2 done; running: a, b']);
    bar.done();
    expect([...listeners.keys()]).toEqual([]);
    const untouched = new Map<string, () => void>();
    progress(1, { ...tty, isTTY: false, on: (event: string, listener: () => void) => untouched.set(event, listener) } as unknown as NodeJS.WriteStream, terminal);
    expect(untouched.size).toBe(0);
  });

  it('draws nothing without a terminal, in CI, with NO_COLOR or TERM=dumb, but still prints log lines', () => {
    for (const [isTTY, env] of [[false, terminal], [true, { ...terminal, CI: 'true' }], [true, { ...terminal, NO_COLOR: '1' }], [true, { TERM: 'dumb' }]] as const) {
      const { written, stream: out } = stream(isTTY, 80);
      const bar = progress(2, out, env);
      bar.started('k');
      bar.log('line');
      bar.done();
      expect(written, JSON.stringify(env)).toEqual(['line\n']);
    }
  });
});
