import { constants, openSync, closeSync } from 'node:fs';

export type AccelChoice = 'auto' | 'kvm' | 'tcg';

/** KVM is usable when /dev/kvm opens for reading and writing (it may exist but be forbidden). */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    closeSync(openSync(device, constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

/**
 * QEMU arguments for the accelerator. `auto` asks for KVM where /dev/kvm opens and lets QEMU
 * fall back to TCG when KVM still refuses (a second `-accel` is tried in order).
 */
export function accelArgs(choice: AccelChoice, haveKvm = kvmUsable()): string[] {
  if (choice === 'kvm') return ['-accel', 'kvm'];
  if (choice === 'tcg' || !haveKvm) return ['-accel', 'tcg'];
  return ['-accel', 'kvm', '-accel', 'tcg'];
}
