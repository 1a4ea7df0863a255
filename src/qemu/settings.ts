import type { AccelChoice } from './accel.js';
import type { Firmware } from '../model.js';
import type { Ovmf } from './firmware.js';

/** How QEMU runs every kernel of a run, as the command line chose (`test`, `run`; `runner` takes `run`'s defaults). */
export interface QemuSettings {
  /** The QEMU program as given; found on PATH before anything is built. */
  program: string;
  accel: AccelChoice;
  /** Arguments after each kernel's own `qemu-args`. */
  extraArgs: string[];
  /** Every kernel's firmware, over its configuration's (its OVMF is then looked for before anything is built). */
  firmware?: Firmware;
  /** OVMF's files as given (both or neither); unset: where the distributions install them. */
  ovmf: Partial<Ovmf>;
  /** vga.png for every kernel, passing ones too (`--screenshot`). */
  screenshots: boolean;
  /** Pause the kernel for a debugger on this port (`true`: a free one). */
  gdb?: string | true;
}
