import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { findExecutable } from '../environment.js';

export interface QemuExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when QEMU could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
  /** Set when killAllQemu stopped it: the run was interrupted. */
  interrupted?: true;
}

export interface QemuProcess {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<QemuExit>;
}

// Every QEMU still running; none may outlive alloc-runner, however it ends. This covers a
// normal exit, an exception and the signals interrupt.ts catches; a SIGKILL of node (or a
// signal nobody catches) is covered by the parent-death signal below.
const running = new Set<ChildProcessWithoutNullStreams>();
const interrupted = new WeakSet<ChildProcessWithoutNullStreams>();
let stopping = false;
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * QEMU does not exit when its parent dies: not on EOF on stdin, not on the QMP socket
 * closing. On Linux, util-linux's setpriv sets the parent-death signal (PR_SET_PDEATHSIG)
 * and then execs QEMU, so the kernel kills QEMU the moment alloc-runner dies, even by
 * SIGKILL. Where setpriv is missing (macOS, minimal containers) QEMU is started directly.
 */
let setpriv: string | null | undefined;
function launcher(binary: string, args: string[]): [string, string[]] {
  if (setpriv === undefined) setpriv = process.platform === 'linux' ? (findExecutable('setpriv') ?? null) : null;
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
}

/**
 * Starts QEMU from an argument array, never through a shell. Plain child_process rather
 * than execa here: importing execa costs about 90 ms, as much as booting a small kernel.
 */
export function startQemu(binary: string, args: string[]): QemuProcess {
  const [command, commandArgs] = launcher(binary, args);
  const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<QemuExit>((resolve) => {
    child.once('error', (spawnError) => {
      running.delete(child);
      resolve({ exitCode: null, signal: null, spawnError });
    });
    child.once('close', (exitCode, signal) => {
      running.delete(child);
      resolve(interrupted.has(child) && signal === 'SIGKILL' ? { exitCode, signal, interrupted: true } : { exitCode, signal });
    });
  });
  if (stopping) stop(child); // started in the instant after an interruption
  child.stdin.on('error', () => {}); // QEMU may be gone when the handshake byte is sent
  return { child, exited };
}

/** Stops every running QEMU now, and any started from now on: the run was interrupted. */
export function killAllQemu(): void {
  stopping = true;
  for (const child of running) stop(child);
}

function stop(child: ChildProcessWithoutNullStreams): void {
  interrupted.add(child);
  child.kill('SIGKILL');
}
