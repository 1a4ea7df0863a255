// --gdb through the real CLI, real QEMU and Debian's gdb in batch mode: the kernel waits for
// the debugger, a breakpoint on a test function is hit with the test in the backtrace, the
// timeout stands still while gdb holds the kernel, and the verdict is the usual one.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, pathWith, ROOT } from './helpers.js';

/** Starts alloc-runner and waits until it prints how to attach; returns the port and symbol file it named. */
async function waitingForGdb(args: string[]): Promise<{ runner: ResultPromise<{ all: true; reject: false }>; port: string; symbols: string }> {
  const runner = execa('node', [CLI, ...args], { cwd: ROOT, env: { NO_COLOR: '1' }, all: true, reject: false });
  let said = '';
  const attach = await new Promise<RegExpExecArray>((resolve, reject) => {
    runner.stderr!.on('data', (chunk) => {
      said += String(chunk);
      const found = /target remote 127\.0\.0\.1:(\d+)' -ex 'symbol-file (\S+)'/.exec(said);
      if (found) resolve(found);
    });
    void runner.then(() => reject(new Error(`alloc-runner never said how to attach:\n${said}`)));
  });
  return { runner, port: attach[1]!, symbols: attach[2]! };
}

const gdb = (port: string, symbols: string, commands: string[]) =>
  execa('gdb', ['-q', '-batch', '-ex', `target remote 127.0.0.1:${port}`, '-ex', `symbol-file ${symbols}`, ...commands.flatMap((command) => ['-ex', command])], {
    reject: false,
    all: true,
    timeout: 120_000,
  });

// The first two attach Debian's gdb (.ci/run installs it); without it they are skipped.
const hasGdb = spawnSync('gdb', ['--version']).error === undefined;

describe('--gdb', () => {
  it.skipIf(!hasGdb)('waits for gdb, stops at a breakpoint in the test, and gives the verdict once the kernel ends', async () => {
    // A 3 s timeout, and gdb holds the kernel at the breakpoint for 5 s: the timeout must stand still.
    const { runner, port, symbols } = await waitingForGdb(['test', '--features', 'global_alloc', '--filter-kernel', 'heap_basics', '--timeout', '3', '--gdb']);
    expect(symbols).toMatch(/\/deps\/heap_basics-[0-9a-f]+$/);
    const session = await gdb(port, symbols, ['hbreak heap_basics::vec_sum', 'continue', 'backtrace', 'shell sleep 5', 'delete', 'continue']);
    const run = await runner;
    expect(session.all).toMatch(/Breakpoint 1, heap_basics::vec_sum \(\) at kernel\/tests\/heap_basics.rs:\d+/);
    expect(session.all).toMatch(/#\d+ .* in heap_basics::main \(\) at kernel\/tests\/heap_basics.rs/);
    expect(run.all).toContain(`-ex 'target remote 127.0.0.1:${port}'`);
    expect(run.stdout, run.all).toMatch(/^PASS {2}kernel heap_basics \(8 tests/m);
    expect(run.exitCode, run.all).toBe(0);
  });

  it.skipIf(!hasGdb)('gives the kernel an error verdict when gdb kills it', async () => {
    const { runner, port, symbols } = await waitingForGdb(['run', '--features', 'global_alloc', '--bin', 'kernel', '--gdb']);
    await gdb(port, symbols, ['hbreak kernel::main', 'continue', 'kill']);
    const run = await runner;
    expect(run.stdout, run.all).toContain('QEMU could not run the kernel: the debugger ended it (gdb `kill`) before it exited');
    expect(run.exitCode).toBe(1);
  });

  it('debugs one kernel: more is a usage error naming them', async () => {
    const result = await execa('node', [CLI, 'test', '--features', 'global_alloc', '--gdb'], { cwd: ROOT, env: { NO_COLOR: '1' }, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/error: --gdb debugs one kernel, but 5 are selected \(.*kernel\/heap_basics.*\): choose one with --filter-kernel NAME/);
  });

  it('refuses a port in use before building anything', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    const result = await execa('node', [CLI, 'run', '--gdb', String(port)], { cwd: ROOT, env: { NO_COLOR: '1' }, reject: false });
    taken.close();
    expect(result.stderr).toBe(`error: --gdb ${port}: port ${port} on 127.0.0.1 is in use; choose another port, or give --gdb alone for a free one`);
    expect(result.exitCode).toBe(2);
  });

  it('doctor says how to get gdb when it is missing', async () => {
    const result = await execa('node', [CLI, 'doctor'], { cwd: ROOT, env: { NO_COLOR: '1', PATH: pathWith('node') }, reject: false });
    expect(result.stdout).toMatch(/^note {4}gdb {14}not found: --gdb still waits for a debugger, but attaching needs one; install it: on Debian or Ubuntu `sudo apt-get install gdb`/m);
  });
});
