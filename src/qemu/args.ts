import type { ImageKind } from '../model.js';
import { RUNNER_CMDLINE } from '../protocol.js';

export interface QemuArgsInput {
  image: string;
  kind: ImageKind;
  qmpSocket: string;
  accel: string[];
  extraArgs: string[];
  /** Words after `alloc-runner` on a Multiboot command line (`filter=PATTERN`, the README, "What a kernel speaks"). */
  cmdlineWords?: string[];
  overrides?: BootOverrides;
  /** The firmware's own arguments (OVMF's flash drives); none for SeaBIOS, QEMU's default. */
  firmwareArgs?: string[];
}

/** How a kernel boots when not as its image kind says: a bootimage project's run-command and test-no-reboot. */
export interface BootOverrides {
  /** The run-command's arguments, before the others. */
  commandArgs?: string[];
  /** Whether they boot the image themselves (the run-command names it), instead of the arguments for its kind. */
  bootsImage?: boolean;
  /** Let a reset reboot the guest (no -no-reboot), as `test-no-reboot = false` asks. */
  allowReboot?: boolean;
}

/**
 * QEMU's argument array (never a shell string). The guest starts paused (-S) so that the
 * runner's QMP connection sees every event; a guest shutdown or reset pauses instead of
 * exiting, so the screen can still be read before the runner quits QEMU.
 */
export function qemuArgs(input: QemuArgsInput): string[] {
  return [
    '-display', 'none',
    ...(input.overrides?.allowReboot ? [] : ['-no-reboot']),
    '-action', 'shutdown=pause',
    '-S',
    '-monitor', 'none',
    '-serial', 'stdio',
    // QEMU connects to the runner's QMP socket, so the runner never waits for a socket file.
    '-chardev', `socket,id=alloc-runner-qmp,path=${escapeOption(input.qmpSocket)}`,
    '-mon', 'chardev=alloc-runner-qmp,mode=control',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    ...input.accel,
    ...(input.firmwareArgs ?? []),
    ...(input.overrides?.commandArgs ?? []),
    ...(input.overrides?.bootsImage ? [] : bootArgs(input.image, input.kind, input.cmdlineWords ?? [])),
    ...input.extraArgs,
  ];
}

function bootArgs(image: string, kind: ImageKind, cmdlineWords: string[]): string[] {
  switch (kind) {
    case 'multiboot':
      return ['-kernel', image, '-append', [RUNNER_CMDLINE, ...cmdlineWords].join(' ')];
    case 'disk':
      return ['-drive', `format=raw,file=${escapeOption(image)}`];
    case 'iso':
      return ['-drive', `format=raw,media=cdrom,file=${escapeOption(image)}`];
  }
}

/** QEMU option values separate by commas; a literal comma is written twice. */
export function escapeOption(value: string): string {
  return value.replaceAll(',', ',,');
}
