import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { findExecutable } from '../environment.js';
import { removePrivateDirs } from './private-dir.js';

export interface QemuExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when QEMU could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
  /** Set when QEMU ended because the run was being interrupted (killAllQemu). */
  interrupted?: true;
}

export interface QemuProcess {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<QemuExit>;
  /** Kills QEMU's whole process group: the real QEMU too when `--qemu` is a script without `exec`. */
  kill: () => void;
}

/**
 * How long a QEMU that quit or died of a signal on its own waits for alloc-runner's own
 * interruption before it counts as a fault: a service manager (systemd stops every process
 * of a unit) or a CI runner may signal both at once, and QEMU may end first.
 */
const INTERRUPTION_GRACE_MS = 1000;

// Every QEMU still running; none may outlive alloc-runner, however it ends. This covers a
// normal exit, an exception, the signals interrupt.ts catches and, below, those nobody
// else catches; a SIGKILL of node is covered by the parent-death signal.
const running = new Set<ChildProcessWithoutNullStreams>();
let stopping = false;
let onStopping: () => void = () => {};
const stopped = new Promise<void>((resolve) => {
  onStopping = resolve;
});
process.on('exit', () => {
  for (const child of running) killGroup(child);
});

/**
 * QEMU runs in a process group (and session) of its own, so that a terminal's Ctrl-C, or a
 * SIGTERM to alloc-runner's group, reaches alloc-runner alone, which then stops QEMU. A
 * signal that would end node on the spot (in `run`, `runner`, or SIGHUP when the terminal
 * closes) therefore first kills every QEMU group, then ends node by that signal, as before.
 * Where another handler takes the signal (interrupt.ts, in `test`), that one decides.
 */
const FATAL_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
let guarding = false;
function onFatalSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  for (const child of running) killGroup(child);
  removePrivateDirs();
  for (const fatal of FATAL_SIGNALS) process.off(fatal, onFatalSignal);
  process.kill(process.pid, signal);
}

/**
 * Ctrl-Z stops the terminal's foreground process group, which QEMU is not part of: QEMU
 * stops with alloc-runner, and goes on when alloc-runner does (`fg`, `bg`).
 */
function onSuspend(): void {
  for (const child of running) signalGroup(child, 'SIGSTOP');
  process.kill(process.pid, 'SIGSTOP');
}
function onResume(): void {
  for (const child of running) signalGroup(child, 'SIGCONT');
}

/**
 * QEMU does not exit when its parent dies: not on EOF on stdin, not on the QMP socket
 * closing. On Linux, util-linux's setpriv sets the parent-death signal (PR_SET_PDEATHSIG)
 * and then execs QEMU, so the kernel kills QEMU the moment alloc-runner dies, even by
 * SIGKILL. Where setpriv is missing (macOS, minimal containers) QEMU is started directly.
 * A `--qemu` script that starts QEMU without `exec` gets the signal itself, not its QEMU.
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
  if (!guarding) {
    guarding = true;
    for (const signal of FATAL_SIGNALS) process.on(signal, onFatalSignal);
    process.on('SIGTSTP', onSuspend);
    process.on('SIGCONT', onResume);
  }
  const [command, commandArgs] = launcher(binary, args);
  const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const exited = new Promise<QemuExit>((resolve) => {
    child.once('error', (spawnError) => {
      running.delete(child);
      resolve({ exitCode: null, signal: null, spawnError });
    });
    child.once('close', (exitCode, signal) => {
      running.delete(child);
      resolve(stopping && endedByOrder({ exitCode, signal }) ? { exitCode, signal, interrupted: true } : { exitCode, signal });
    });
  });
  if (stopping) killGroup(child); // started in the instant after an interruption
  child.stdin.on('error', () => {}); // QEMU may be gone when the handshake byte is sent
  return { child, exited, kill: () => killGroup(child) };
}

/** Stops every running QEMU now, and any started from now on: the run was interrupted. */
export function killAllQemu(): void {
  stopping = true;
  onStopping();
  for (const child of running) killGroup(child);
}

/**
 * Whether the run was interrupted as QEMU ended: already, or within a moment when QEMU
 * quit or died of a signal on its own (the same signal may have reached both).
 */
export async function interruptedAsItEnded(exit: QemuExit): Promise<boolean> {
  if (exit.interrupted) return true;
  if (!endedByOrder(exit)) return false;
  let timer: NodeJS.Timeout | undefined;
  const interrupted = await Promise.race([
    stopped.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), INTERRUPTION_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  return interrupted;
}

/** Killed by a signal, or quit with status 0, as QEMU does on SIGINT, SIGTERM or SIGHUP: not the guest's doing. */
function endedByOrder(exit: Pick<QemuExit, 'exitCode' | 'signal'>): boolean {
  return exit.signal !== null || exit.exitCode === 0;
}

function killGroup(child: ChildProcessWithoutNullStreams): void {
  signalGroup(child, 'SIGKILL');
}

function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}
