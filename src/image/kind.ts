import { open } from 'node:fs/promises';
import { usageError } from '../errors.js';

/** How QEMU is to boot a file: as a Multiboot kernel, a raw disk or a CD image. */
export type ImageKind = 'multiboot' | 'disk' | 'iso';

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

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
