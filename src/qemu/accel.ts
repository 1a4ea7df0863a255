import { closeSync, constants, existsSync, openSync } from 'node:fs';

export type AccelChoice = 'auto' | 'kvm' | 'tcg';

/**
 * KVM is usable when /dev/kvm opens for reading and writing (it may exist but be forbidden),
 * and is not PVM: that paravirtual KVM, found in nested cloud machines, stops any guest
 * whose SSE instructions it must emulate, and Rust's precompiled `core` uses SSE.
 */
export function kvmUsable(device = '/dev/kvm'): boolean {
  if (kvmIsPvm()) return false;
  try {
    closeSync(openSync(device, constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine's KVM is PVM (its kernel module is loaded). */
export function kvmIsPvm(): boolean {
  return existsSync('/sys/module/kvm_pvm');
}

/**
 * QEMU arguments for the accelerator. `auto` asks for KVM where /dev/kvm opens and lets QEMU
 * fall back to TCG when KVM refuses to start (a second `-accel` is tried in order).
 */
export function accelArgs(choice: AccelChoice, haveKvm = kvmUsable()): string[] {
  if (choice === 'kvm') return ['-accel', 'kvm'];
  if (choice === 'tcg' || !haveKvm) return ['-accel', 'tcg'];
  return ['-accel', 'kvm', '-accel', 'tcg'];
}

/**
 * The accelerator for a whole run. Some KVMs start but cannot emulate every instruction a
 * kernel uses (nested or paravirtual KVM stops the guest with an internal error): under
 * `auto`, such a kernel is booted again with TCG, and so is every kernel after it.
 */
export class Accelerator {
  private kvmFailed = false;

  constructor(private readonly choice: AccelChoice) {}

  args(): string[] {
    return this.kvmFailed ? accelArgs('tcg') : accelArgs(this.choice);
  }

  /** Records a KVM failure; true when the kernel should be booted again with TCG. */
  fallBackFromKvm(): boolean {
    if (this.choice !== 'auto') return false;
    this.kvmFailed = true;
    return true;
  }
}
