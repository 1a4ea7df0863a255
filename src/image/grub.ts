import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildError, environmentError, ExitCode, usageError } from '../errors.js';
import { findExecutable } from '../environment.js';
import { runChecked } from '../subprocess.js';
import { fatVariant, masterBootRecord, PARTITION_START_SECTOR, partitionSectors, SECTOR_BYTES } from './mbr.js';

/** The bootable images alloc-runner makes of a Multiboot kernel with GRUB. */
export type GrubImageKind = 'iso' | 'disk';

export const GRUB_APT_PACKAGES = 'grub-pc-bin grub-common xorriso mtools';
const INSTALL_HINT = `on Debian or Ubuntu: sudo apt-get install ${GRUB_APT_PACKAGES}`;
/** GRUB's UEFI platform files, for ISO images that boot on UEFI too. */
export const GRUB_EFI_APT_PACKAGE = 'grub-efi-amd64-bin';

const PROGRAMS: Record<GrubImageKind, string[]> = {
  iso: ['grub-mkrescue', 'xorriso'],
  disk: ['grub-mkimage', 'mformat', 'mmd', 'mcopy'],
};

/** GRUB modules the images need: a Multiboot loader, grub.cfg, and the disk, partition and file system drivers. */
const ISO_MODULES = 'normal configfile boot multiboot biosdisk iso9660 part_msdos';
/**
 * A hybrid ISO's modules serve both platforms, so none that only one has (biosdisk: the BIOS
 * El Torito image brings its own). The partition modules are those the EFI image loads at
 * start: GRUB complains on the console about each one missing.
 */
const HYBRID_ISO_MODULES = 'normal configfile boot multiboot iso9660 part_msdos part_gpt part_acorn part_amiga part_apple part_bsd part_dfly part_dvh part_plan part_sun part_sunpc';
const DISK_MODULES = ['normal', 'configfile', 'boot', 'multiboot', 'biosdisk', 'part_msdos', 'fat'];

/** Where the kernel sits inside every image. */
const KERNEL_IN_IMAGE = '/boot/kernel.elf';

export interface GrubTools {
  programs: Record<string, string>;
  /** GRUB's BIOS platform folder (boot.img and the modules): images boot by BIOS. */
  platformDir: string;
  /** GRUB's UEFI platform folder beside it (x86_64-efi), when installed: ISO images can boot on UEFI too. */
  efiPlatformDir?: string;
}

/** The programs and GRUB files making `kind` needs, or an environment error naming the packages to install. */
export function requireGrubTools(kind: GrubImageKind): GrubTools {
  const programs: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of PROGRAMS[kind]) {
    const found = findExecutable(name);
    if (found) programs[name] = found;
    else missing.push(name);
  }
  const what = kind === 'iso' ? 'a GRUB ISO image' : 'a GRUB disk image';
  if (missing.length > 0) {
    throw environmentError(`making ${what} needs ${missing.join(', ')}, not found on PATH; install them, ${INSTALL_HINT}`);
  }
  const platformDir = findPlatformDir(Object.values(programs));
  if (!platformDir) {
    throw environmentError(`making ${what} needs GRUB's BIOS files (i386-pc/boot.img), not found; install them, ${INSTALL_HINT}`);
  }
  const efiPlatformDir = resolve(platformDir, '..', 'x86_64-efi');
  return { programs, platformDir, efiPlatformDir: existsSync(join(efiPlatformDir, 'multiboot.mod')) ? efiPlatformDir : undefined };
}

/** The same tools, able to make an ISO that boots on UEFI, or an environment error naming the package. */
export function requireGrubEfi(tools: GrubTools): GrubTools & { efiPlatformDir: string } {
  if (tools.efiPlatformDir) return { ...tools, efiPlatformDir: tools.efiPlatformDir };
  throw environmentError(
    `a GRUB ISO image that boots on UEFI needs GRUB's x86_64-efi files (${resolve(tools.platformDir, '..', 'x86_64-efi')}/multiboot.mod), not found; ` +
      `install them, on Debian or Ubuntu: sudo apt-get install ${GRUB_EFI_APT_PACKAGE}`,
  );
}

function findPlatformDir(programs: string[]): string | undefined {
  const candidates = [...programs.map((program) => resolve(dirname(program), '..', 'lib', 'grub', 'i386-pc')), '/usr/lib/grub/i386-pc'];
  return candidates.find((dir) => existsSync(join(dir, 'boot.img')) && existsSync(join(dir, 'multiboot.mod')));
}

/**
 * A grub.cfg that boots the kernel at once: no menu, no timeout, and GRUB's terminal left
 * on the screen, never on the serial port, where it would take the handshake byte.
 */
export function grubConfig(cmdline: string[]): string {
  const words = [KERNEL_IN_IMAGE, ...cmdline.map(grubWord)];
  return ['# Made by alloc-runner: boot the Multiboot kernel at once.', 'set timeout=0', `multiboot ${words.join(' ')}`, 'boot', ''].join('\n');
}

function grubWord(word: string): string {
  if (/^[A-Za-z0-9_.,:=+\/-]+$/.test(word)) return word;
  if (word.includes("'")) throw usageError(`the kernel command line word ${JSON.stringify(word)} has a single quote, which grub.cfg cannot carry`);
  return `'${word}'`;
}

export interface ImageRequest {
  /** The Multiboot kernel to put in the image. */
  kernel: string;
  output: string;
  /** The words GRUB passes on the Multiboot command line. */
  cmdline: string[];
  /** An ISO that boots on UEFI too (a hybrid: BIOS and x86_64-efi). */
  uefi?: boolean;
}

/** Makes a bootable GRUB image of a Multiboot kernel; the file appears whole at `output` or not at all. */
export async function makeGrubImage(kind: GrubImageKind, request: ImageRequest, tools = requireGrubTools(kind)): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), `alloc-runner-${kind}-`));
  const partial = `${request.output}.partial`;
  try {
    await mkdir(dirname(resolve(request.output)), { recursive: true });
    if (kind === 'iso') await makeIso(tools, request, staging, partial);
    else await makeDisk(tools, request, staging, partial);
    await rename(partial, request.output);
  } finally {
    await rm(partial, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

async function makeIso(tools: GrubTools, request: ImageRequest, staging: string, output: string): Promise<void> {
  const root = join(staging, 'iso');
  await mkdir(join(root, 'boot', 'grub'), { recursive: true });
  await copyFile(request.kernel, join(root, KERNEL_IN_IMAGE));
  await writeFile(join(root, 'boot', 'grub', 'grub.cfg'), grubConfig(request.cmdline));
  // Only the modules it needs and no fonts, locales or themes: 2.5 MB instead of 11 MB.
  // Without -d, grub-mkrescue takes every platform installed in GRUB's folder: BIOS and UEFI.
  if (request.uefi) requireGrubEfi(tools);
  await tool(tools, 'grub-mkrescue', [
    ...(request.uefi ? [] : ['-d', tools.platformDir]),
    `--install-modules=${request.uefi ? HYBRID_ISO_MODULES : ISO_MODULES}`,
    '--fonts=', '--locales=', '--themes=',
    '-o', output,
    root,
  ]);
}

async function makeDisk(tools: GrubTools, request: ImageRequest, staging: string, output: string): Promise<void> {
  // core.img finds the partition by itself, then reads grub.cfg from it.
  const earlyConfig = join(staging, 'early.cfg');
  await writeFile(earlyConfig, 'set root=(hd0,msdos1)\nset prefix=(hd0,msdos1)/boot/grub\nconfigfile /boot/grub/grub.cfg\n');
  const coreImage = join(staging, 'core.img');
  await tool(tools, 'grub-mkimage', ['-d', tools.platformDir, '-O', 'i386-pc', '-o', coreImage, '-c', earlyConfig, '-p', '(hd0,msdos1)/boot/grub', ...DISK_MODULES]);
  const core = await readFile(coreImage);
  if (core.length > (PARTITION_START_SECTOR - 1) * SECTOR_BYTES) {
    throw buildError(`GRUB's core.img is ${core.length} bytes, too big for the gap before the partition`);
  }
  const grubCfg = join(staging, 'grub.cfg');
  await writeFile(grubCfg, grubConfig(request.cmdline));

  const sectors = partitionSectors((await stat(request.kernel)).size);
  const file = await open(output, 'w');
  try {
    // Sparse: only what is written takes room on the disk.
    await file.truncate((PARTITION_START_SECTOR + sectors) * SECTOR_BYTES);
    await file.write(core, 0, core.length, SECTOR_BYTES);
  } finally {
    await file.close();
  }
  const partition = `${output}@@${PARTITION_START_SECTOR * SECTOR_BYTES}`;
  await tool(tools, 'mformat', ['-i', partition, '-T', String(sectors), '-h', '16', '-s', '63', '-H', String(PARTITION_START_SECTOR), '::']);
  await tool(tools, 'mmd', ['-i', partition, '::/boot', '::/boot/grub']);
  await tool(tools, 'mcopy', ['-i', partition, request.kernel, `::${KERNEL_IN_IMAGE}`]);
  await tool(tools, 'mcopy', ['-i', partition, grubCfg, '::/boot/grub/grub.cfg']);

  const disk = await open(output, 'r+');
  try {
    const fatBootSector = Buffer.alloc(SECTOR_BYTES);
    await disk.read(fatBootSector, 0, SECTOR_BYTES, PARTITION_START_SECTOR * SECTOR_BYTES);
    const bootCode = await readFile(join(tools.platformDir, 'boot.img'));
    const mbr = masterBootRecord(bootCode, { startSector: PARTITION_START_SECTOR, sectors, fat: fatVariant(fatBootSector) });
    await disk.write(mbr, 0, mbr.length, 0);
  } finally {
    await disk.close();
  }
}

async function tool(tools: GrubTools, name: string, args: string[]): Promise<void> {
  await runChecked(tools.programs[name] ?? name, args, {
    // mtools would otherwise refuse a FAT geometry it finds unusual, or read ~/.mtoolsrc drives.
    env: { MTOOLS_SKIP_CHECK: '1' },
    exitCode: ExitCode.BuildFailed,
    message: (failure) => `${name} failed while making a boot image: ${failure.stderr.trim() || failure.why}`,
  });
}
