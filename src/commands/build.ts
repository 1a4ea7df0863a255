import { stat } from 'node:fs/promises';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { checkTempFolder } from '../check/places.js';
import { makeGrubImage, requireGrubEfi, requireGrubTools, type GrubImageKind } from '../image/grub.js';
import { RUNNER_CMDLINE } from '../protocol.js';
import type { BuildOptions } from '../options/declare.js';
import { resolveBuild } from '../options/resolve.js';
import { planOneKernel } from '../run/plan.js';

const IMAGE_NAMES: Record<GrubImageKind, { label: string; extension: string; qemu: string }> = {
  iso: { label: 'ISO image', extension: 'iso', qemu: '-cdrom' },
  disk: { label: 'raw disk image', extension: 'img', qemu: '-drive format=raw,file=' },
};

/** Builds the kernel binary (or takes --kernel FILE) and makes a bootable GRUB image of it. */
export async function buildCommand(options: BuildOptions): Promise<ExitCodeValue> {
  const config = resolveBuild(options);
  const tools = requireGrubTools(config.image);
  checkTempFolder();
  if (config.firmware === 'uefi' && config.image === 'iso') requireGrubEfi(tools);
  const kernel = await planOneKernel(config.plan, config.bin);
  if (kernel.imageKind !== 'multiboot') {
    throw usageError(`${kernel.image} is already ${kernel.imageKind === 'iso' ? 'an ISO' : 'a disk'} image; alloc-runner build puts a Multiboot kernel into one`);
  }
  const uefi = kernel.config.firmware === 'uefi';
  if (uefi && config.image === 'disk') {
    throw usageError('--image disk makes a BIOS-only MBR disk image; for UEFI firmware make a GRUB ISO, which boots on both, with --image iso');
  }

  const names = IMAGE_NAMES[config.image];
  const output = config.output ?? `${kernel.image}.${names.extension}`;
  const started = Date.now();
  await makeGrubImage(config.image, { kernel: kernel.image, output, cmdline: config.cmdline ?? [RUNNER_CMDLINE], uefi }, tools);
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const megabytes = ((await stat(output)).size / (1 << 20)).toFixed(1);
  const qemuImage = names.qemu.endsWith('=') ? `${names.qemu}${output}` : `${names.qemu} ${output}`;
  process.stdout.write(
    `Created ${names.label}${uefi ? ' (BIOS and UEFI)' : ''} of ${kernel.name} at ${output} (${megabytes} MiB, ${seconds} s)\n` +
      `Boot it: alloc-runner test --kernel ${output}   or   qemu-system-x86_64 ${qemuImage} -serial stdio\n` +
      (uefi ? `On UEFI: alloc-runner test --kernel ${output} --firmware uefi\n` : ''),
  );
  return ExitCode.Passed;
}
