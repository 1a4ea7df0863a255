import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, CLI, FIXTURES, haltingDisk } from './helpers.js';

/** Cargo in the bundled workspace, whose .cargo/config.toml names alloc-runner as the runner. */
function cargo(args: string[]) {
  return execa('cargo', args, { cwd: FIXTURES, env: { NO_COLOR: '1' }, reject: false, all: true });
}

// `cargo test` and `cargo run` boot the kernels through `alloc-runner runner`.
describe('cargo test with alloc-runner as the target runner', () => {
  let run: Awaited<ReturnType<typeof cargo>>;
  let report: JsonReport;

  beforeAll(async () => {
    run = await cargo(['test', '--features', 'global_alloc']);
    const out = join(mkdtempSync(join(tmpdir(), 'runner-')), 'report.json');
    const direct = await alloc(['test', '--features', 'global_alloc', '--reporter', 'json', '--output-file', `json=${out}`]);
    expect(direct.exitCode, direct.all).toBe(0);
    report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  });

  it('boots every test kernel, with the verdicts alloc-runner test gives', () => {
    expect(run.exitCode, run.all).toBe(0);
    const verdicts = [...run.all.matchAll(/^(PASS|FAIL|CRASH|HANG|ERROR) {2}kernel (\w+) \((\d+) tests?/gm)].map((m) => `${m[2]} ${m[1]} ${m[3]}`);
    const expected = report.kernels.map((kernel) => `${kernel.name} ${kernel.status.toUpperCase()} ${kernel.tests.length}`);
    expect(verdicts.sort()).toEqual(expected.sort());
  });

  it('shows the serial output live, and where the artifacts are', () => {
    expect(run.all).toContain('KTAP version 1');
    expect(run.all).toMatch(/^Artifacts: .*\/alloc-runner\/.*\/kernel\/heap_basics$/m);
  });

  it('fails cargo test when a kernel fails, with alloc-runner\'s reason', async () => {
    const failing = await cargo(['test', '-p', 'misbehaving', '--test', 'panic']);
    expect(failing.exitCode).not.toBe(0);
    expect(failing.all).toMatch(/^FAIL {2}misbehaving panic/m);
    expect(failing.all).toContain(`(exit status: ${ExitCode.TestsFailed})`);
  });

  it('runs the host tests of the same target as they are', async () => {
    const host = await cargo(['test', '-p', 'bump_allocator', '--test', 'arithmetic']);
    expect(host.exitCode, host.all).toBe(0);
    expect(host.all).toMatch(/^test limits \.\.\. ok$/m);
    expect(host.all).not.toContain('Artifacts:');
  });

  it('boots the demo kernel for cargo run --bin kernel', async () => {
    const demo = await cargo(['run', '--features', 'global_alloc', '--bin', 'kernel']);
    expect(demo.exitCode, demo.all).toBe(0);
    expect(demo.all).toContain('Allocator works!');
    expect(demo.all).toMatch(/^PASS {2}kernel kernel /m);
  });

  it('boots the default-run binary, test_allocator, for cargo run, and passes it by its screen', async () => {
    const seed = await cargo(['run', '--features', 'global_alloc']);
    expect(seed.exitCode, seed.all).toBe(0);
    expect(seed.all).toMatch(/^PASS {2}kernel test_allocator \(.*\): the screen showed "Allocator works!" after /m);
  });
});

describe('alloc-runner runner with a kernel, outside Cargo', () => {
  it("names a QEMU too old when it fails to start, as run does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-qemu-'));
    const qemu = join(dir, 'old-qemu');
    writeFileSync(qemu, '#!/bin/sh\necho "QEMU emulator version 5.2.0"\n', { mode: 0o755 });
    // A disk image is a kernel to the runner.
    const disk = haltingDisk(join(dir, 'disk.img'));
    const run = await alloc(['runner', disk], { env: { ALLOC_RUNNER_QEMU: qemu } });
    expect(run.exitCode, run.all).toBe(ExitCode.Environment);
    expect(run.stderr).toContain(`${qemu} is QEMU 5.2, too old: QEMU 6.0 or newer is needed`);
  });
});

describe('alloc-runner runner with a host executable', () => {
  it('passes its exit status through, and a signal as 128 + its number', async () => {
    expect((await alloc(['runner', '/bin/sh', '-c', 'exit 7'])).exitCode).toBe(7);
    expect((await alloc(['runner', '/bin/sh', '-c', 'kill -TERM $$'])).exitCode).toBe(128 + 15);
    const echoed = await alloc(['runner', '/bin/echo', '--nocapture', 'x']);
    expect(echoed.exitCode).toBe(0);
    expect(echoed.stdout).toBe('--nocapture x');
  });
});

describe('bin/alloc-runner.js without dist/', () => {
  it('says to build alloc-runner, with the environment exit code', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'no-dist-'));
    mkdirSync(join(copy, 'bin'));
    copyFileSync(CLI, join(copy, 'bin', 'alloc-runner.js'));
    const run = await execa(process.execPath, [join(copy, 'bin', 'alloc-runner.js'), 'runner', '/bin/true'], { reject: false });
    expect(run.exitCode).toBe(ExitCode.Environment);
    expect(run.stderr).toContain('alloc-runner is not built');
    expect(run.stderr).toContain('npm install');
  });
});
