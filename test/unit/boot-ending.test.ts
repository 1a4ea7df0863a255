import { describe, expect, it } from 'vitest';
import { endingBeforeExit, endingByExit, GDB_KILLED, type BootFacts } from '../../src/qemu/ending.js';

/** A kernel that ran and exited through isa-debug-exit with 33, unless told otherwise. */
function facts(extra: Partial<BootFacts> = {}): BootFacts {
  return { exit: { exitCode: 33, signal: null }, guestStarted: true, stderr: '', qemu: 'qemu-system-x86_64', timeoutSeconds: 7, debugged: false, ...extra };
}
const killed = { exitCode: null, signal: 'SIGKILL' } as const;
const quit = { exitCode: 0, signal: null } as const;

describe('the ending the runner or QMP saw before QEMU exited', () => {
  it('is the timeout when the runner stopped QEMU at it, whatever else happened', () => {
    expect(endingBeforeExit(facts({ stoppedBy: 'timeout', exit: killed, guest: { kind: 'reset' } }))).toEqual({ kind: 'timeout', seconds: 7 });
  });

  it('is the decision when a condition stopped QEMU and the runner killed it', () => {
    expect(endingBeforeExit(facts({ stoppedBy: 'decision', exit: killed }))).toEqual({ kind: 'decided' });
  });

  it('leaves a kernel that exited on its own before the decision stopped QEMU to its exit', () => {
    const exited = facts({ stoppedBy: 'decision' });
    expect(endingBeforeExit(exited)).toBeUndefined();
    expect(endingByExit(exited, false)).toEqual({ kind: 'exited', status: 33 });
  });

  it("names KVM's internal error with QEMU's line about it, or its first line", () => {
    const guest = { kind: 'kvm-failed', message: 'KVM stopped the guest with an internal error' } as const;
    expect(endingBeforeExit(facts({ guest, exit: killed, stderr: 'error: kvm run failed Bad address\nKVM internal error. Suberror: 1\nRAX=0' }))).toEqual({
      kind: 'kvm-failed',
      message: 'KVM stopped the guest with an internal error: KVM internal error. Suberror: 1',
    });
    expect(endingBeforeExit(facts({ guest, exit: killed, stderr: 'emulation failure' }))).toEqual({ kind: 'kvm-failed', message: `${guest.message}: emulation failure` });
  });

  it("is the guest's own end otherwise: a reset, a shutdown, a reboot loop", () => {
    for (const guest of [{ kind: 'reset' }, { kind: 'shutdown', reason: 'guest-shutdown' }, { kind: 'reboot-loop', resets: 10 }] as const) {
      expect(endingBeforeExit(facts({ guest, exit: quit }))).toEqual(guest);
    }
  });

  it('is nothing when only the exit can tell', () => {
    expect(endingBeforeExit(facts())).toBeUndefined();
  });
});

describe('the ending told by QEMU exit', () => {
  it('is an interruption when the run was being interrupted', () => {
    expect(endingByExit(facts({ exit: quit }), true)).toEqual({ kind: 'interrupted' });
  });

  it('says QEMU could not be started, with why', () => {
    const ending = endingByExit(facts({ guestStarted: false, exit: { exitCode: null, signal: null, spawnError: new Error('spawn qemu-nope ENOENT') }, qemu: 'qemu-nope' }), false);
    expect(ending).toEqual({ kind: 'qemu-failed', message: 'qemu-nope could not be started: spawn qemu-nope ENOENT' });
  });

  it("tells a debugger's kill from a reset, when a debugger was attached", () => {
    const stderr = `qemu-system-x86_64: ${GDB_KILLED}`;
    expect(endingByExit(facts({ exit: quit, stderr, debugged: true }), false)).toEqual({ kind: 'qemu-failed', message: 'the debugger ended it (gdb `kill`) before it exited' });
    expect(endingByExit(facts({ exit: quit, stderr }), false)).toEqual({ kind: 'exited', status: 0 });
  });

  it("is the kernel's exit status once it ran", () => {
    expect(endingByExit(facts({ exit: { exitCode: 35, signal: null } }), false)).toEqual({ kind: 'exited', status: 35 });
  });

  it('blames whoever killed QEMU while the kernel ran, which was not the runner', () => {
    expect(endingByExit(facts({ exit: killed }), false)).toEqual({
      kind: 'qemu-failed',
      message: 'QEMU was killed by SIGKILL while the kernel ran, not by alloc-runner (another process, or the out-of-memory killer)',
    });
  });

  describe('before the kernel started', () => {
    it("gives QEMU's exit status and its stderr", () => {
      expect(endingByExit(facts({ guestStarted: false, exit: { exitCode: 1, signal: null }, stderr: 'qemu: -drive: Could not open' }), false)).toEqual({
        kind: 'qemu-failed',
        message: 'QEMU exited with status 1 before the kernel started: qemu: -drive: Could not open',
      });
    });

    it('says when QEMU printed nothing', () => {
      expect(endingByExit(facts({ guestStarted: false, exit: { exitCode: 1, signal: null } }), false)).toEqual({
        kind: 'qemu-failed',
        message: 'QEMU exited with status 1 before the kernel started (it printed nothing on stderr)',
      });
    });

    it('gives what the runner saw when it stopped QEMU itself', () => {
      const startFailure = 'QEMU did not connect to the QMP socket within 500 ms';
      expect(endingByExit(facts({ guestStarted: false, exit: killed, startFailure }), false)).toEqual({ kind: 'qemu-failed', message: `${startFailure}; QEMU was stopped (it printed nothing on stderr)` });
    });

    it('gives the signal that ended QEMU when the runner saw nothing wrong', () => {
      expect(endingByExit(facts({ guestStarted: false, exit: { exitCode: null, signal: 'SIGSEGV' }, stderr: 'boom' }), false)).toEqual({
        kind: 'qemu-failed',
        message: 'QEMU exited on SIGSEGV before the kernel started: boom',
      });
    });
  });
});
