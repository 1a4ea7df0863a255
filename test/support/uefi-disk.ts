// A UEFI disk image as bootloader 0.11 makes one, without root: a GPT disk whose EFI system
// partition (FAT, by mtools) holds a standalone GRUB as EFI/BOOT/BOOTX64.EFI and the kernel,
// which GRUB then boots by Multiboot with the grub.cfg alloc-runner's own images use.
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { grubConfig } from '../../src/image/grub.js';
import { PARTITION_START_SECTOR, partitionSectors, SECTOR_BYTES } from '../../src/image/mbr.js';

/** The EFI system partition's type GUID. */
const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const ENTRY_COUNT = 128;
const ENTRY_BYTES = 128;
/** The header, then the entries (128 × 128 bytes = 32 sectors) at each end of the disk. */
const TABLE_SECTORS = 1 + (ENTRY_COUNT * ENTRY_BYTES) / SECTOR_BYTES;
/** GRUB's modules: what finds the ESP, reads its FAT and boots the kernel. */
const GRUB_MODULES = 'normal configfile search search_fs_file part_gpt fat multiboot boot';

/** Makes `output`, a GPT disk image whose EFI system partition boots `kernel` on UEFI firmware. */
export async function makeUefiDiskImage(kernel: string, output: string): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'uefi-disk-'));
  try {
    // GRUB's own config, in its memdisk: find the partition holding the kernel, then boot it.
    const earlyConfig = join(staging, 'grub.cfg');
    await writeFile(earlyConfig, `search --no-floppy --file --set=root /boot/kernel.elf\n${grubConfig([])}`);
    const grubEfi = join(staging, 'BOOTX64.EFI');
    await execa('grub-mkstandalone', ['-O', 'x86_64-efi', '-o', grubEfi, `--install-modules=${GRUB_MODULES}`, `--modules=${GRUB_MODULES}`,
      '--fonts=', '--locales=', '--themes=', `boot/grub/grub.cfg=${earlyConfig}`]);

    const espSectors = partitionSectors((await stat(kernel)).size + (await stat(grubEfi)).size);
    const totalSectors = PARTITION_START_SECTOR + espSectors + TABLE_SECTORS;
    const file = await open(output, 'w');
    try {
      await file.truncate(totalSectors * SECTOR_BYTES);
    } finally {
      await file.close();
    }
    const esp = `${output}@@${PARTITION_START_SECTOR * SECTOR_BYTES}`;
    const mtools = { env: { MTOOLS_SKIP_CHECK: '1' } };
    await execa('mformat', ['-i', esp, '-T', String(espSectors), '-h', '16', '-s', '63', '-H', String(PARTITION_START_SECTOR), '::'], mtools);
    await execa('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT', '::/boot'], mtools);
    await execa('mcopy', ['-i', esp, grubEfi, '::/EFI/BOOT/BOOTX64.EFI'], mtools);
    await execa('mcopy', ['-i', esp, kernel, '::/boot/kernel.elf'], mtools);

    const disk = await open(output, 'r+');
    try {
      for (const [sector, bytes] of gptSectors(totalSectors, { first: PARTITION_START_SECTOR, last: PARTITION_START_SECTOR + espSectors - 1 })) {
        await disk.write(bytes, 0, bytes.length, sector * SECTOR_BYTES);
      }
    } finally {
      await disk.close();
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The sectors of a GPT with one EFI system partition, each with where it goes: the protective
 * MBR (no boot code: BIOS cannot boot it), then the primary and backup headers and entries.
 */
export function gptSectors(totalSectors: number, esp: { first: number; last: number }): Array<[number, Buffer]> {
  const lastSector = totalSectors - 1;
  const mbr = Buffer.alloc(SECTOR_BYTES);
  mbr.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 446);
  mbr.writeUInt32LE(1, 446 + 8);
  mbr.writeUInt32LE(Math.min(lastSector, 0xffffffff), 446 + 12);
  mbr.set([0x55, 0xaa], 510);

  const entries = Buffer.alloc(ENTRY_COUNT * ENTRY_BYTES);
  guidBytes(ESP_TYPE).copy(entries, 0);
  guidBytes(randomUUID()).copy(entries, 16);
  entries.writeBigUInt64LE(BigInt(esp.first), 32);
  entries.writeBigUInt64LE(BigInt(esp.last), 40);
  entries.write('EFI system partition', 56, 'utf16le');

  const diskGuid = guidBytes(randomUUID());
  const header = (self: number, other: number, entriesAt: number) => {
    const sector = Buffer.alloc(SECTOR_BYTES);
    sector.write('EFI PART', 0, 'latin1');
    sector.writeUInt32LE(0x00010000, 8);
    sector.writeUInt32LE(92, 12);
    sector.writeBigUInt64LE(BigInt(self), 24);
    sector.writeBigUInt64LE(BigInt(other), 32);
    sector.writeBigUInt64LE(BigInt(TABLE_SECTORS + 1), 40);
    sector.writeBigUInt64LE(BigInt(lastSector - TABLE_SECTORS), 48);
    diskGuid.copy(sector, 56);
    sector.writeBigUInt64LE(BigInt(entriesAt), 72);
    sector.writeUInt32LE(ENTRY_COUNT, 80);
    sector.writeUInt32LE(ENTRY_BYTES, 84);
    sector.writeUInt32LE(crc32(entries), 88);
    sector.writeUInt32LE(crc32(sector.subarray(0, 92)), 16);
    return sector;
  };
  const backupEntriesAt = lastSector - (TABLE_SECTORS - 1);
  return [
    [0, mbr],
    [1, header(1, lastSector, 2)],
    [2, entries],
    [backupEntriesAt, entries],
    [lastSector, header(lastSector, 1, backupEntriesAt)],
  ];
}

/** A GUID as GPT stores it: its first three fields little-endian, the rest as written. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replaceAll('-', '');
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

/** CRC-32 (IEEE), as GPT's checksums use (zlib.crc32 is not in every Node 20). */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
