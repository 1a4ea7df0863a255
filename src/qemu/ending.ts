// How a boot ended, derived once from its facts: what the runner did, what QMP said of the
// guest, and how QEMU's process ended.
import type { Ending } from '../model.js';
import type { GuestEnding } from './guest-events.js';
import type { QemuExit } from './process.js';

export interface BootFacts {
  /** How QEMU's process ended. */
  exit: QemuExit;
  /** The runner stopped QEMU: at the kernel's timeout, or when a condition decided the run. */
  stoppedBy?: 'timeout' | 'decision';
  /** How the guest ended by itself, as QMP told (guest-events.ts). */
  guest?: GuestEnding;
  /** Whether the kernel was let run (QEMU connected and the guest was continued). */
  guestStarted: boolean;
  /** Why QEMU never ran the kernel, as the runner saw it (QMP never connected, say). */
  startFailure?: string;
  /** The end of QEMU's stderr, trimmed. */
  stderr: string;
  /** The QEMU program, as given. */
  qemu: string;
  timeoutSeconds: number;
  /** A debugger was attached (`--gdb`), whose `kill` ends QEMU. */
  debugged: boolean;
}

/** What QEMU says on stderr when a debugger's `kill` ends it (with status 0, like a guest reset). */
export const GDB_KILLED = 'Terminated via GDBstub';

/**
 * The ending the runner or QMP saw before QEMU's exit, if any: the exit itself then says
 * nothing more (QEMU was stopped, quit or killed because of it).
 */
export function endingBeforeExit(facts: BootFacts): Ending | undefined {
  if (facts.stoppedBy === 'timeout') return { kind: 'timeout', seconds: facts.timeoutSeconds };
  // Killed by the runner; a kernel that exited on its own before QEMU was stopped is judged by its exit.
  if (facts.stoppedBy === 'decision' && facts.exit.signal === 'SIGKILL') return { kind: 'decided' };
  if (facts.guest?.kind === 'kvm-failed') return { kind: 'kvm-failed', message: `${facts.guest.message}: ${kvmErrorLine(facts.stderr)}` };
  return facts.guest;
}

/**
 * The ending told by QEMU's exit alone. `interrupted`: the run was being interrupted as QEMU
 * ended (asked only here, as finding out may take a moment).
 */
export function endingByExit(facts: BootFacts, interrupted: boolean): Ending {
  const { exit } = facts;
  if (interrupted) return { kind: 'interrupted' };
  if (exit.spawnError) return { kind: 'qemu-failed', message: `${facts.qemu} could not be started: ${exit.spawnError.message}` };
  if (facts.debugged && facts.stderr.includes(GDB_KILLED)) return { kind: 'qemu-failed', message: 'the debugger ended it (gdb `kill`) before it exited' };
  if (facts.guestStarted && typeof exit.exitCode === 'number') return { kind: 'exited', status: exit.exitCode };
  if (facts.guestStarted) {
    return {
      kind: 'qemu-failed',
      message: `QEMU was killed by ${exit.signal ?? 'an unknown cause'} while the kernel ran, not by alloc-runner (another process, or the out-of-memory killer)`,
    };
  }
  return { kind: 'qemu-failed', message: startFailureMessage(facts) };
}

/** Why QEMU never ran the kernel: its own exit and stderr when it quit, else what the runner saw. */
function startFailureMessage({ exit, startFailure, stderr }: BootFacts): string {
  const quit = exit.signal === null;
  const what = quit || !startFailure ? `QEMU exited ${quit ? `with status ${exit.exitCode}` : `on ${exit.signal}`} before the kernel started` : `${startFailure}; QEMU was stopped`;
  return `${what}${stderr ? `: ${stderr}` : ' (it printed nothing on stderr)'}`;
}

/** The line of QEMU's stderr that names the KVM failure. */
function kvmErrorLine(stderr: string): string {
  return stderr.split('\n').find((line) => line.includes('KVM')) ?? stderr.split('\n')[0] ?? '';
}
