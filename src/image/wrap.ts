import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { RUNNER_CMDLINE } from '../protocol.js';
import type { Firmware, ImageKind } from '../model.js';
import { makeGrubImage, requireGrubEfi, type GrubImageKind, type GrubTools } from './grub.js';

/** How `alloc-runner test --boot` boots each kernel: as it is (`-kernel`), or inside a GRUB image. */
export type BootPath = 'kernel' | GrubImageKind;

export const IMAGE_FILE_NAMES: Record<GrubImageKind, string> = { iso: 'boot.iso', disk: 'boot.img' };

/** What putting a kernel into a GRUB image needs to know of it (run/'s plan of the kernel has it). */
export interface Wrappable {
  name: string;
  image: string;
  imageKind: ImageKind;
  artifactsDir: string;
  config: { firmware: Firmware };
}

/**
 * Only Multiboot kernels can be put into a GRUB image: says which kernel is not one. A
 * kernel booting on UEFI needs an ISO, made with GRUB's UEFI files.
 */
export function checkWrappable(plans: Wrappable[], kind: GrubImageKind, tools: GrubTools): void {
  const image = plans.find((plan) => plan.imageKind !== 'multiboot');
  if (image) {
    throw usageError(
      `--boot ${kind} puts a Multiboot kernel into a GRUB image, but ${image.image} is already ${image.imageKind === 'iso' ? 'an ISO' : 'a disk'} image; ` +
        'boot it as it is with --boot kernel (the default)',
    );
  }
  const uefi = plans.find((plan) => plan.config.firmware === 'uefi');
  if (uefi && kind === 'disk') {
    throw usageError(`--boot disk makes a BIOS-only MBR disk image, but ${uefi.name} boots with UEFI firmware; boot it through a GRUB ISO, which boots on both, with --boot iso`);
  }
  if (uefi) requireGrubEfi(tools);
}

/**
 * The same kernel, booted through a GRUB image made in its artifacts folder (kept there, so a
 * failing boot can be repeated by hand). GRUB passes the runner's command-line words (and
 * `--filter-test`'s) as QEMU's -append would, so the screen handshake works the same.
 */
export async function throughImage<Plan extends Wrappable>(plan: Plan, kind: GrubImageKind, tools: GrubTools, cmdlineWords: string[] = []): Promise<Plan> {
  await mkdir(plan.artifactsDir, { recursive: true });
  const image = join(plan.artifactsDir, IMAGE_FILE_NAMES[kind]);
  const uefi = plan.config.firmware === 'uefi';
  await makeGrubImage(kind, { kernel: plan.image, output: image, cmdline: [RUNNER_CMDLINE, ...cmdlineWords], uefi }, tools);
  return { ...plan, image, imageKind: kind };
}
