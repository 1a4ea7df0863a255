// Signals as terminals, service managers and CI send them, through the real CLI and real QEMU:
// Ctrl-C typed in a pseudo-terminal (SIGINT to the whole foreground process group), SIGTERM to
// alloc-runner's process group (`kill -TERM -- -PGID`, as docker stop, systemd and CI
// cancellation do), a signal that reaches QEMU as well, and a `--qemu` wrapper script that
// runs QEMU without `exec`. Whatever happens, no QEMU outlives the run.
import { execSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { CLI, FIXTURES, misbehavingKernels, qemuProcessesWith, waitForOutput } from './helpers.js';

const TERMINAL = resolve(import.meta.dirname, 'terminal.py');
const CTRL_C = '\u0003';

let hang: string;
let scratch: string;

beforeAll(async () => {
  hang = (await misbehavingKernels('hang')).get('hang')!;
  scratch = mkdtempSync('/tmp/signals-');
});

// A test that fails must not leave its QEMU running either.
afterEach(() => {
  for (const line of qemuProcessesWith(scratch)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder with copies of the hanging kernel (their QEMU can be told apart by name) and an empty TMPDIR. */
function workspace(kernels: string[]) {
  const dir = join(scratch, String(++folders));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const paths = kernels.map((name) => {
    copyFileSync(hang, join(dir, name));
    return join(dir, name);
  });
  const report = join(dir, 'report.json');
  const args = ['--verbose', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${report}`, '--artifacts-dir', join(dir, 'artifacts')];
  return { dir, tmp, kernels: paths, testArgs: [...paths.flatMap((kernel) => ['--kernel', kernel]), ...args], report };
}

/** A `--qemu` script as CI setups write them: QEMU started as a child of the shell, without `exec`. */
function wrapperWithoutExec(dir: string): string {
  const path = join(dir, 'qemu-wrapper');
  writeFileSync(path, '#!/bin/sh\nif [ "$1" = --version ]; then echo "QEMU emulator version 7.2.0"; exit 0; fi\nqemu-system-x86_64 "$@"\n');
  chmodSync(path, 0o755);
  return path;
}

/** Starts the CLI; `detached` makes it the leader of a process group of its own, as a shell's job is. */
function start(args: string[], options: { env: Record<string, string>; detached?: boolean; timeout?: number }) {
  return execa('node', [CLI, ...args], { env: { NO_COLOR: '1', ...options.env }, detached: options.detached, timeout: options.timeout, reject: false, all: true });
}


interface Step {
  /** Once the terminal has shown this (a regular expression) `times` times... */
  wait: string;
  times?: number;
  /** ...these keys are typed. */
  type: string;
}

/** Runs a command in a real pseudo-terminal (terminal.py), typing `steps` into it as a user would. */
async function inTerminal(command: string[], steps: Step[], env: Record<string, string>, cwd?: string) {
  const run = await execa('python3', [TERMINAL, JSON.stringify(steps), ...command], { cwd, env: { NO_COLOR: '1', ...env }, reject: false, timeout: 60_000 });
  const [, code, signal] = /\nexit: code=(\S+) signal=(\S+)\n?$/.exec(run.stdout) ?? [];
  return { output: run.stdout, exitCode: code === 'none' ? undefined : Number(code), signal: signal === 'none' ? undefined : signal };
}

function statuses(report: string): Array<[string, string, string | undefined]> {
  return (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).kernels.map((kernel) => [kernel.name, kernel.status, kernel.reason]);
}

const INTERRUPTED_REASON = 'alloc-runner was interrupted while the kernel ran; QEMU was stopped';
const RUNNING_TWICE = { wait: String.raw`\[hang-[ab]\] 1\.\.1`, times: 2 };

describe('Ctrl-C typed in a terminal (SIGINT to the whole foreground process group, QEMU formerly included)', () => {
  it('reports the kernels in flight as interrupted, exits 130 and leaves nothing behind', async () => {
    const ws = workspace(['hang-a', 'hang-b']);
    const run = await inTerminal(['node', CLI, 'test', ...ws.testArgs, '--jobs', '2', '--timeout', '60'], [{ ...RUNNING_TWICE, type: CTRL_C }], { TMPDIR: ws.tmp });
    expect(run.exitCode, run.output).toBe(130);
    expect(statuses(ws.report)).toEqual([
      ['hang-a', 'interrupted', INTERRUPTED_REASON],
      ['hang-b', 'interrupted', INTERRUPTED_REASON],
    ]);
    expect(run.output).toMatch(/INTERRUPTED hang-a/);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  // The terminal no longer reaches QEMU: alloc-runner must stop a script's QEMU itself.
  it('with a --qemu script that does not exec QEMU: QEMU is stopped too, the kernel is interrupted', async () => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    const run = await inTerminal(['node', CLI, 'test', '--qemu', qemu, ...ws.testArgs, '--timeout', '60'], [{ wait: String.raw`\[hang-a\] 1\.\.1`, type: CTRL_C }], { TMPDIR: ws.tmp });
    expect(run.exitCode, run.output).toBe(130);
    expect(statuses(ws.report)).toEqual([['hang-a', 'interrupted', INTERRUPTED_REASON]]);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
  });

  it('a second Ctrl-C quits at once, by SIGINT, leaving no QEMU behind, with a --qemu script too', async () => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    // A FIFO nobody reads: writing the JSON report blocks forever, so only the second Ctrl-C ends the run.
    execSync(`mkfifo ${ws.report}`);
    const steps = [
      { wait: String.raw`\[hang-a\] 1\.\.1`, type: CTRL_C },
      { wait: 'Press Ctrl-C again', type: CTRL_C },
    ];
    const run = await inTerminal(['node', CLI, 'test', '--qemu', qemu, ...ws.testArgs, '--timeout', '60'], steps, { TMPDIR: ws.tmp });
    expect(run.signal, run.output).toBe('SIGINT');
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });
});

describe('SIGTERM from outside', () => {
  it('to alloc-runner\'s process group (kill -TERM -- -PGID): the kernels in flight are interrupted, exit 143', async () => {
    const ws = workspace(['hang-a', 'hang-b']);
    const run = start(['test', ...ws.testArgs, '--jobs', '2', '--timeout', '60'], { env: { TMPDIR: ws.tmp }, detached: true });
    await waitForOutput(run, run.all, new RegExp(RUNNING_TWICE.wait), 2);
    // As a user types it in bash; dash's kill builtin does not take `--`.
    await execa('kill', ['-TERM', '--', `-${run.pid}`]);
    const result = await run;
    expect(result.exitCode, result.all).toBe(143);
    expect(statuses(ws.report)).toEqual([
      ['hang-a', 'interrupted', INTERRUPTED_REASON],
      ['hang-b', 'interrupted', INTERRUPTED_REASON],
    ]);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  it('to QEMU first and alloc-runner a moment later (systemd stops every process of a unit): interrupted, not a crash', async () => {
    const ws = workspace(['hang-a', 'hang-b']);
    const run = start(['test', ...ws.testArgs, '--jobs', '2', '--timeout', '60'], { env: { TMPDIR: ws.tmp } });
    await waitForOutput(run, run.all, new RegExp(RUNNING_TWICE.wait), 2);
    // QEMU quits with status 0 on SIGTERM, which alone would read as a reset of the guest.
    const qemuPids = qemuProcessesWith(ws.dir).map((line) => line.split(' ')[0]);
    expect(qemuPids).toHaveLength(2);
    execSync(`kill -TERM ${qemuPids.join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    run.kill('SIGTERM');
    const result = await run;
    expect(result.exitCode, result.all).toBe(143);
    expect(statuses(ws.report)).toEqual([
      ['hang-a', 'interrupted', INTERRUPTED_REASON],
      ['hang-b', 'interrupted', INTERRUPTED_REASON],
    ]);
  });
});

describe('Ctrl-Z (SIGTSTP to the foreground process group)', () => {
  it('stops QEMU with alloc-runner, and resumes it when alloc-runner goes on (fg: SIGCONT to the group)', async () => {
    const ws = workspace(['hang-a']);
    const run = start(['test', ...ws.testArgs, '--timeout', '60'], { env: { TMPDIR: ws.tmp }, detached: true });
    await waitForOutput(run, run.all, /\[hang-a\] 1\.\.1/);
    const qemuPid = qemuProcessesWith(ws.dir)[0]!.split(' ')[0]!;
    const stateOf = (pid: string | number) => /\) (\w)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1];
    await execa('kill', ['-TSTP', '--', `-${run.pid}`]);
    await expect.poll(() => [stateOf(run.pid!), stateOf(qemuPid)], { timeout: 5000 }).toEqual(['T', 'T']);
    await execa('kill', ['-CONT', '--', `-${run.pid}`]);
    await expect.poll(() => [stateOf(run.pid!), stateOf(qemuPid)].includes('T'), { timeout: 5000 }).toBe(false);
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode, result.all).toBe(130);
    expect(statuses(ws.report)).toEqual([['hang-a', 'interrupted', INTERRUPTED_REASON]]);
  });
});

describe('a QEMU that no longer answers (SIGSTOP from outside, as a debugger does)', () => {
  it('is killed all the same at the kernel\'s timeout, which is reported as a hang', async () => {
    const ws = workspace(['hang-a']);
    const started = Date.now();
    const run = start(['test', ...ws.testArgs, '--timeout', '2'], { env: { TMPDIR: ws.tmp }, timeout: 30_000 });
    await waitForOutput(run, run.all, /\[hang-a\] 1\.\.1/);
    process.kill(Number(qemuProcessesWith(ws.dir)[0]!.split(' ')[0]), 'SIGSTOP');
    const result = await run;
    expect(result.timedOut, 'the run did not end after the kernel\'s timeout').toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(statuses(ws.report)).toEqual([['hang-a', 'hang', expect.stringContaining('no exit within 2 s')]]);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
  });
});

describe('a --qemu script that runs QEMU without exec', () => {
  it('a hanging kernel is reported at its timeout, and the real QEMU is stopped', async () => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    const started = Date.now();
    const result = await start(['test', '--qemu', qemu, ...ws.testArgs, '--timeout', '2'], { env: { TMPDIR: ws.tmp }, timeout: 30_000 });
    expect(result.timedOut, 'the run did not end at the kernel\'s timeout').toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.exitCode, result.all).toBe(1);
    expect(statuses(ws.report)).toEqual([['hang-a', 'hang', expect.stringContaining('no exit within 2 s')]]);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
  });

  it('SIGINT to alloc-runner alone: the kernel is interrupted at once and the real QEMU is stopped', async () => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    const run = start(['test', '--qemu', qemu, ...ws.testArgs, '--timeout', '60'], { env: { TMPDIR: ws.tmp }, timeout: 20_000 });
    await waitForOutput(run, run.all, /\[hang-a\] 1\.\.1/);
    run.kill('SIGINT');
    const result = await run;
    expect(result.timedOut, 'the run did not end after Ctrl-C').toBe(false);
    expect(result.exitCode, result.all).toBe(130);
    expect(statuses(ws.report)).toEqual([['hang-a', 'interrupted', INTERRUPTED_REASON]]);
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
  });

  // `run` and `runner` (Cargo's target runner) catch no signal, nor does `test` catch SIGHUP
  // (the terminal closed): alloc-runner ends by the signal, but QEMU goes first.
  it.each([
    ['run', 'SIGTERM'],
    ['runner', 'SIGHUP'],
    ['test', 'SIGHUP'],
  ] as const)('alloc-runner %s ended by %s takes the real QEMU down with it', async (command, signal) => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    const kernel = ws.kernels[0]!;
    const args = { run: ['run', '--qemu', qemu, '--kernel', kernel], runner: ['runner', kernel], test: ['test', '--qemu', qemu, '--kernel', kernel, '--verbose'] }[command];
    const run = start(args, { env: { TMPDIR: ws.tmp, ALLOC_RUNNER_QEMU: qemu } });
    await waitForOutput(run, run.all, /^(\[hang-a\] )?1\.\.1$/m);
    expect(qemuProcessesWith(ws.dir)).toHaveLength(1);
    run.kill(signal);
    const result = await run;
    expect(result.signal, result.all).toBe(signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  // As above: QEMU no longer hears the terminal's Ctrl-C itself.
  it('alloc-runner run stopped by Ctrl-C in a terminal takes the real QEMU down with it', async () => {
    const ws = workspace(['hang-a']);
    const qemu = wrapperWithoutExec(ws.dir);
    const run = await inTerminal(['node', CLI, 'run', '--qemu', qemu, '--kernel', ws.kernels[0]!], [{ wait: String.raw`1\.\.1`, type: CTRL_C }], { TMPDIR: ws.tmp });
    expect(run.signal, run.output).toBe('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
  });

  it('cargo test with alloc-runner as its runner, stopped by Ctrl-C in a terminal, takes the real QEMU down with it', async () => {
    const ws = workspace([]);
    const qemu = wrapperWithoutExec(ws.dir);
    const steps = [{ wait: String.raw`1\.\.1`, type: CTRL_C }];
    const run = await inTerminal(['cargo', 'test', '-p', 'misbehaving', '--test', 'hang'], steps, { TMPDIR: ws.tmp, ALLOC_RUNNER_QEMU: qemu }, FIXTURES);
    expect(run.output).toContain('Running tests/hang.rs');
    expect(run.signal, run.output).toBe('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(qemuProcessesWith(hang)).toEqual([]);
  });
});
