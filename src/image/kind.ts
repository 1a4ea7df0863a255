import { open } from 'node:fs/promises';
import { usageError } from '../errors.js';
import type { Firmware, ImageKind } from '../model.js';

const MULTIBOOT_MAGIC = 0x1badb002;
const MULTIBOOT_SEARCH_BYTES = 8192;
const AOUT_KLUDGE = 1 << 16;
const ISO_MAGIC_OFFSET = 0x8001;

/** Reads the start of `path` and decides how it boots, or explains why it cannot. */
export async function detectImageKind(path: string): Promise<ImageKind> {
  let head: Buffer;
  try {
    head = await readHead(path, ISO_MAGIC_OFFSET + 5);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`kernel file not found: ${path}`);
    if (code === 'EISDIR') throw usageError(`${path} is a folder, not a kernel image`);
    throw usageError(`cannot read kernel file ${path}: ${(error as Error).message}`);
  }
  return classify(head, path);
}

/**
 * For the Cargo runner, which boots kernels and executes everything else: a kernel (an ELF
 * with a Multiboot header, or a disk or ISO image), another ELF, or something else. Whether
 * a kernel can really boot is `detectImageKind`'s to say.
 */
export async function executableKind(path: string): Promise<'kernel' | 'elf' | 'other'> {
  let head: Buffer;
  try {
    head = await readHead(path, ISO_MAGIC_OFFSET + 5);
  } catch {
    throw usageError(`cannot read ${path}`);
  }
  if (isElf(head)) return findMultibootHeader(head) ? 'kernel' : 'elf';
  try {
    classify(head, path);
    return 'kernel';
  } catch {
    return 'other';
  }
}

const isElf = (head: Buffer) => head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));

export function classify(head: Buffer, path: string): ImageKind {
  if (isElf(head)) {
    const header = findMultibootHeader(head);
    if (header === undefined) {
      throw usageError(
        `${path} is an ELF file without a Multiboot 1 header in its first 8 KiB, so QEMU cannot boot it with -kernel. ` +
          'Add a Multiboot header (see fixtures/README.md), or pass a bootable disk image instead.',
      );
    }
    const is64 = head[4] === 2;
    if (is64 && (header.flags & AOUT_KLUDGE) === 0) {
      throw usageError(
        `${path} is an ELF64 Multiboot kernel whose header lacks the a.out kludge (flag bit 16 with its load addresses): ` +
          "QEMU's -kernel refuses such a file. Set the flag and the addresses in the Multiboot header.",
      );
    }
    return 'multiboot';
  }
  if (head.length >= ISO_MAGIC_OFFSET + 5 && head.toString('latin1', ISO_MAGIC_OFFSET, ISO_MAGIC_OFFSET + 5) === 'CD001') {
    return 'iso';
  }
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return 'disk';
  throw usageError(
    `${path} is neither a Multiboot kernel (ELF with a Multiboot header), a disk image (boot sector signature 55 AA) nor an ISO image.`,
  );
}

function findMultibootHeader(head: Buffer): { flags: number } | undefined {
  const end = Math.min(head.length, MULTIBOOT_SEARCH_BYTES) - 12;
  for (let offset = 0; offset <= end; offset += 4) {
    if (head.readUInt32LE(offset) !== MULTIBOOT_MAGIC) continue;
    const flags = head.readUInt32LE(offset + 4);
    const checksum = head.readUInt32LE(offset + 8);
    if (((MULTIBOOT_MAGIC + flags + checksum) >>> 0) === 0) return { flags };
  }
  return undefined;
}

function readHead(path: string, bytes: number): Promise<Buffer> {
  return readAt(path, 0, bytes);
}

const SECTOR = 512;
const ISO_SECTOR = 2048;
/** The EFI system partition's type: its GUID as GPT stores it (mixed-endian), and its MBR type. */
const ESP_GUID = Buffer.from('28732ac11ff8d211ba4b00a0c93ec93b', 'hex');
const ESP_MBR_TYPE = 0xef;
const GPT_PROTECTIVE_TYPE = 0xee;
/** El Torito platform IDs: 0 is x86 BIOS, 0xEF is EFI. */
const PLATFORM_BIOS = 0x00;
const PLATFORM_EFI = 0xef;

/**
 * Why an image of `kind` cannot boot on `firmware`, or undefined when it can, as far as its
 * partition table (a disk) or El Torito boot catalog (an ISO) tells.
 */
export async function firmwareMismatch(path: string, kind: ImageKind, firmware: Firmware): Promise<string | undefined> {
  if (kind === 'multiboot') {
    return firmware === 'uefi'
      ? `${path} is a Multiboot kernel, which UEFI firmware cannot boot with -kernel (OVMF starts only EFI executables that way). ` +
          'Boot it through a GRUB image that boots on UEFI with --boot iso, or with --firmware bios'
      : undefined;
  }
  if (kind === 'iso') {
    const platforms = await elToritoPlatforms(path);
    if (firmware === 'uefi' && !platforms.has(PLATFORM_EFI)) {
      return `${path} is an ISO image that boots only by BIOS (its El Torito boot catalog has no EFI entry), so UEFI firmware cannot boot it. ` +
        'Boot it with --firmware bios, or make a hybrid image (grub-mkrescue makes one where grub-efi-amd64-bin is installed)';
    }
    if (firmware === 'bios' && !platforms.has(PLATFORM_BIOS)) {
      return `${path} is an ISO image that boots only on UEFI (its El Torito boot catalog has no BIOS entry). Boot it with --firmware uefi`;
    }
    return undefined;
  }
  const disk = await readHead(path, 34 * SECTOR);
  if (firmware === 'bios') {
    return disk.subarray(0, 440).every((byte) => byte === 0)
      ? `${path} has no BIOS boot code (the first 440 bytes of its boot sector are zero), as a UEFI-only disk image has. Boot it with --firmware uefi`
      : undefined;
  }
  const table = partitionTable(disk);
  if (table.espFound) return undefined;
  return `${path} is a BIOS-only disk image (${table.kind === 'gpt' ? 'a GPT' : 'an MBR'} partition table without an EFI system partition), so UEFI firmware cannot boot it. ` +
    'Boot it with --firmware bios, or give a UEFI disk image (GPT with an EFI system partition, such as bootloader 0.11 makes)';
}

/** The partition table's kind and whether it has an EFI system partition (GPT entries read from the first 34 sectors). */
export function partitionTable(disk: Buffer): { kind: 'gpt' | 'mbr'; espFound: boolean } {
  const mbrTypes = [0, 1, 2, 3].map((index) => disk[446 + index * 16 + 4] ?? 0);
  const gpt = mbrTypes.includes(GPT_PROTECTIVE_TYPE) && disk.toString('latin1', SECTOR, SECTOR + 8) === 'EFI PART';
  if (!gpt) return { kind: 'mbr', espFound: mbrTypes.includes(ESP_MBR_TYPE) };
  const entriesStart = Number(disk.readBigUInt64LE(SECTOR + 72)) * SECTOR;
  const count = disk.readUInt32LE(SECTOR + 80);
  const entryBytes = disk.readUInt32LE(SECTOR + 84);
  for (let index = 0; index < count && entryBytes >= 16; index++) {
    const entry = entriesStart + index * entryBytes;
    if (entry + 16 > disk.length) break;
    if (disk.subarray(entry, entry + 16).equals(ESP_GUID)) return { kind: 'gpt', espFound: true };
  }
  return { kind: 'gpt', espFound: false };
}

/** The platforms an ISO's El Torito boot catalog has entries for (none without a catalog). */
async function elToritoPlatforms(path: string): Promise<Set<number>> {
  const descriptor = await readAt(path, 17 * ISO_SECTOR, ISO_SECTOR);
  const platforms = new Set<number>();
  if (descriptor.length < 0x4b || descriptor[0] !== 0 || descriptor.toString('latin1', 1, 6) !== 'CD001' || !descriptor.toString('latin1', 7, 30).startsWith('EL TORITO')) {
    return platforms;
  }
  const catalog = await readAt(path, descriptor.readUInt32LE(0x47) * ISO_SECTOR, ISO_SECTOR);
  if (catalog.length < 64 || catalog[0] !== 1 || catalog[0x1e] !== 0x55 || catalog[0x1f] !== 0xaa) return platforms;
  // The validation entry names the default entry's platform; each section header names its own.
  platforms.add(catalog[1]!);
  for (let offset = 64; offset + 32 <= catalog.length; ) {
    const header = catalog[offset]!;
    if (header !== 0x90 && header !== 0x91) break;
    platforms.add(catalog[offset + 1]!);
    offset += 32 * (1 + catalog.readUInt16LE(offset + 2));
    if (header === 0x91) break;
  }
  return platforms;
}

async function readAt(path: string, position: number, bytes: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
