// A real "Writing an OS in Rust" project, unchanged: blog_os post-12 with bootloader 0.9.35 and
// bootimage 0.10.4, set up by ../shared/blog_os/setup.sh DEST (Debian's Rust 1.96 as a nightly,
// crates from a directory source). ALLOC_RUNNER_BLOG_OS=DEST runs these tests; without it they
// are skipped. Every verdict is checked against bootimage's own `cargo test`; the variants are
// made by editing a copy, never the set-up project.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { CLI } from './helpers.js';

const SETUP = process.env.ALLOC_RUNNER_BLOG_OS;

// One place for every copy, so that they share one Cargo target folder and stay warm.
const WORK = join(tmpdir(), 'alloc-runner-blog-os');
const COPY = join(WORK, 'blog_os');
const TARGET = join(WORK, 'target');
/** Where alloc-runner keeps the disk images `bootimage runner` made (src/image/bootimage-cache.ts). */
const IMAGES = join(TARGET, 'alloc-runner', 'images');

// A cold build of blog_os takes minutes on a busy machine; a warm run of everything, about one.
const BUILD_MS = 1_200_000;
const RUN_MS = 600_000;

/** bootimage's `cargo test`: 6 test executables, 12 tests, all `[ok]`. */
const BOOTIMAGE_KERNELS = ['blog_os/basic_boot', 'blog_os/blog_os[bin]', 'blog_os/blog_os[lib]', 'blog_os/heap_allocation', 'blog_os/should_panic', 'blog_os/stack_overflow'];

/** The files the variants edit: always newer than the last build, so that Cargo rebuilds them after an edit is undone. */
const EDITED = ['tests/basic_boot.rs', 'tests/heap_allocation.rs', 'tests/stack_overflow.rs'];

/** A fresh copy of the set-up blog_os (its timestamps kept, so Cargo rebuilds only what a test edits). */
function freshCopy(edit?: (copy: string) => void): string {
  rmSync(COPY, { recursive: true, force: true });
  mkdirSync(COPY, { recursive: true });
  const source = join(SETUP!, 'blog_os');
  for (const entry of readdirSync(source).filter((name) => name !== 'target')) {
    cpSync(join(source, entry), join(COPY, entry), { recursive: true, preserveTimestamps: true });
  }
  const now = new Date();
  for (const file of EDITED) utimesSync(join(COPY, file), now, now);
  edit?.(COPY);
  return COPY;
}

/** A file of the copy, changed (and so newer than the build). */
function change(copy: string, file: string, transform: (text: string) => string): void {
  const path = join(copy, file);
  const text = readFileSync(path, 'utf8');
  const changed = transform(text);
  if (changed === text) throw new Error(`the edit of ${file} changed nothing: blog_os is not the post-12 this test knows`);
  writeFileSync(path, changed);
}

/** A command in the copy with DEST/env.sh sourced, as the user would run it; alloc-runner on PATH. */
function inCopy(command: string[], options: { timeoutMs?: number } = {}) {
  return execa('bash', ['-c', `. "$0/env.sh" && exec "$@"`, SETUP!, ...command], {
    cwd: COPY,
    env: { CARGO_TARGET_DIR: TARGET, NO_COLOR: '1', PATH: `${join(WORK, 'bin')}:${process.env.PATH}` },
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 600_000,
  });
}

/** `alloc-runner test` with a JSON report; returns the run and the report. */
async function allocTest(args: string[] = []) {
  const reportFile = join(WORK, `report-${Date.now()}.json`);
  const run = await inCopy(['alloc-runner', 'test', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${reportFile}`, ...args]);
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport) : undefined;
  return { run, report };
}

/** The `name...\t[ok]` lines of bootimage's output: its verdict per test. */
function bootimageVerdicts(output: string): Map<string, string> {
  return new Map([...output.matchAll(/^(\S+)\.\.\.\s*\[(ok|failed)\]/gm)].map((match) => [match[1]!, match[2]!]));
}

/** Each cached image with its mtime and inode: a file made again differs in both. */
function imageStamps(): Map<string, string> {
  return new Map(readdirSync(IMAGES).map((file) => {
    const { mtimeMs, ino } = statSync(join(IMAGES, file));
    return [file, `${mtimeMs} ${ino}`];
  }));
}

/** The executable an image entry was made for (`heap_allocation-0b83….<key>.bin` is heap_allocation's). */
const executableOf = (entry: string) => entry.replace(/-[0-9a-f]{16}\..*$/, '');

if (!SETUP) {
  it.skip('blog_os post-12: ALLOC_RUNNER_BLOG_OS is not set (set it to the DEST of ../shared/blog_os/setup.sh DEST to run these tests)', () => {});
} else {
  describe('blog_os post-12 with bootimage, unchanged', () => {
    beforeAll(async () => {
      mkdirSync(join(WORK, 'bin'), { recursive: true });
      rmSync(join(WORK, 'bin', 'alloc-runner'), { force: true });
      symlinkSync(CLI, join(WORK, 'bin', 'alloc-runner'));
      freshCopy();
      const build = await inCopy(['cargo', 'test', '--no-run'], { timeoutMs: BUILD_MS });
      expect(build.exitCode, build.all).toBe(0);
    }, BUILD_MS);

    it('alloc-runner test gives bootimage\'s verdicts: 6 kernels, 12 tests, all pass', async () => {
      const bootimage = await inCopy(['cargo', 'test']);
      expect(bootimage.exitCode, bootimage.all).toBe(0);
      const expected = bootimageVerdicts(bootimage.all ?? '');
      expect(expected.size).toBe(12);
      expect([...expected.values()].every((verdict) => verdict === 'ok')).toBe(true);

      const { run, report } = await allocTest();
      expect(run.exitCode, run.all).toBe(0);
      expect(report!.kernels.map((kernel) => kernel.id)).toEqual(BOOTIMAGE_KERNELS);
      expect(report!.kernels.every((kernel) => kernel.status === 'pass' && kernel.serialFormat === 'blog_os')).toBe(true);
      const verdicts = new Map(report!.kernels.flatMap((kernel) => kernel.tests.map((test) => [test.name, test.status === 'pass' ? 'ok' : 'failed'])));
      expect(verdicts).toEqual(expected);
      // Each kernel its own folder: the lib and the bin unit tests are both named blog_os.
      const logs = report!.kernels.map((kernel) => kernel.artifacts.serialLog);
      expect(new Set(logs).size).toBe(6);
      expect(readFileSync(logs[1]!, 'utf8')).toContain('blog_os::trivial_assertion...');
    }, BUILD_MS);

    it('a second run makes no disk image again; after one test file changes, --cache remakes and boots that kernel alone', async () => {
      const made = imageStamps();
      expect(new Set([...made.keys()].map(executableOf))).toEqual(new Set(['basic_boot', 'blog_os', 'heap_allocation', 'should_panic', 'stack_overflow']));
      const second = await allocTest();
      expect(second.run.exitCode, second.run.all).toBe(0);
      expect(second.report!.kernels).toHaveLength(6);
      expect(imageStamps()).toEqual(made);

      // Without remembered passes, so that the first --cache run boots all six.
      rmSync(join(TARGET, 'alloc-runner', 'cache'), { recursive: true, force: true });
      const remembering = await allocTest(['--cache']);
      expect(remembering.run.exitCode, remembering.run.all).toBe(0);
      expect(remembering.report!.kernels.filter((kernel) => !kernel.cached)).toHaveLength(6);
      // A line added before the tests moves their panic locations: the executable's bytes change.
      change(COPY, 'tests/heap_allocation.rs', (text) => `// changed by blog-os.test.ts\n${text}`);
      const { run, report } = await allocTest(['--cache']);
      expect(run.exitCode, run.all).toBe(0);
      expect(report!.kernels.filter((kernel) => !kernel.cached).map((kernel) => kernel.id)).toEqual(['blog_os/heap_allocation']);
      const after = imageStamps();
      const remade = [...after].filter(([file, stamp]) => made.get(file) !== stamp).map(([file]) => executableOf(file));
      const dropped = [...made.keys()].filter((file) => !after.has(file)).map(executableOf);
      expect({ remade, dropped }).toEqual({ remade: ['heap_allocation'], dropped: ['heap_allocation'] });
    }, RUN_MS);

    it('--filter-kernel tells the two blog_os kernels apart', async () => {
      const { run, report } = await allocTest(['--filter-kernel', 'blog_os/blog_os[lib]']);
      expect(run.exitCode, run.all).toBe(0);
      expect(report!.kernels.map((kernel) => kernel.id)).toEqual(['blog_os/blog_os[lib]']);
      expect(report!.kernels[0]!.tests).toHaveLength(4);
    }, RUN_MS);

    it('cargo test with runner = "alloc-runner runner" passes, each kernel with alloc-runner\'s verdict', async () => {
      change(COPY, '.cargo/config.toml', (text) => text.replace('runner = "bootimage runner"', 'runner = "alloc-runner runner"'));
      const run = await inCopy(['cargo', 'test']);
      expect(run.exitCode, run.all).toBe(0);
      expect(run.all?.match(/^PASS /gm)).toHaveLength(6);
      expect(bootimageVerdicts(run.all ?? '').size).toBe(12);
      expect(run.all).not.toContain('bootimage runner');
    }, RUN_MS);

    it('alloc-runner run boots the kernel binary made by cargo bootimage: it prints, runs its executor, and never exits', async () => {
      freshCopy();
      const run = await inCopy(['alloc-runner', 'run', '--timeout', '5']);
      expect(run.exitCode, run.all).toBe(1);
      expect(run.all).toContain('HANG ');
      const artifacts = /^Artifacts: (.+)$/m.exec(run.all ?? '')![1]!;
      const screen = readFileSync(join(artifacts, 'vga.txt'), 'utf8');
      expect(screen).toContain('Hello World!');
      expect(screen).toContain('async number: 42');
    }, RUN_MS);
  });

  describe('blog_os post-12, edited: failures named better than bootimage names them', () => {
    it('a failing assert fails its kernel, with the panic; the tests after it never ran', async () => {
      freshCopy((copy) =>
        change(copy, 'tests/basic_boot.rs', (text) => text.replace('#[test_case]\nfn test_println()', '#[test_case]\nfn failing_assert() {\n    assert_eq!(1, 2);\n}\n\n#[test_case]\nfn test_println()')),
      );
      const bootimage = await inCopy(['cargo', 'test', '--test', 'basic_boot']);
      expect(bootimage.exitCode, bootimage.all).not.toBe(0);
      expect(bootimageVerdicts(bootimage.all ?? '')).toEqual(new Map([['basic_boot::failing_assert', 'failed']]));

      const { run, report } = await allocTest(['--filter-kernel', 'basic_boot']);
      expect(run.exitCode, run.all).toBe(1);
      const kernel = report!.kernels[0]!;
      expect(kernel.status).toBe('fail');
      expect(kernel.tests[0]).toMatchObject({ name: 'basic_boot::failing_assert', status: 'fail' });
      expect(kernel.tests[0]!.panic?.message).toContain('assertion `left == right` failed');
      expect(kernel.reason).toContain('1 of 2 tests never ran');
      expect(kernel.tests[1]).toMatchObject({ name: 'test 2', status: 'notrun' });
    }, RUN_MS);

    it('a test that never ends is a hang that names it', async () => {
      freshCopy((copy) => change(copy, 'tests/basic_boot.rs', (text) => `${text}\n#[test_case]\nfn wait_forever() {\n    loop {}\n}\n`));
      const { run, report } = await allocTest(['--filter-kernel', 'basic_boot', '--timeout', '10']);
      expect(run.exitCode, run.all).toBe(1);
      const kernel = report!.kernels[0]!;
      expect(kernel.status).toBe('hang');
      expect(kernel.reason).toContain('hung in basic_boot::wait_forever');
      // The test in flight is not run, and named.
      expect(kernel.tests).toMatchObject([
        { name: 'basic_boot::test_println', status: 'pass' },
        { name: 'basic_boot::wait_forever', status: 'notrun' },
      ]);
    }, RUN_MS);

    it('a stack overflow whose double-fault handler cannot run is a crash in that test', async () => {
      // Without its own stack, the double-fault handler faults again: a triple fault resets the machine.
      freshCopy((copy) => change(copy, 'tests/stack_overflow.rs', (text) => text.replace('\n                .set_stack_index(blog_os::gdt::DOUBLE_FAULT_IST_INDEX)', '')));
      const bootimage = await inCopy(['cargo', 'test', '--test', 'stack_overflow']);
      expect(bootimage.exitCode, bootimage.all).not.toBe(0);

      const { run, report } = await allocTest(['--filter-kernel', 'stack_overflow']);
      expect(run.exitCode, run.all).toBe(1);
      const kernel = report!.kernels[0]!;
      expect(kernel.status).toBe('crash');
      expect(kernel.reason).toContain('crashed in stack_overflow::stack_overflow');
    }, RUN_MS);
  });
}
