// The layout of a raw disk image with one partition: GRUB's boot sector, its core image in
// the gap before the partition, and a FAT file system holding grub.cfg and the kernel.

export const SECTOR_BYTES = 512;
/** The partition starts at 1 MiB, as partitioning tools place it; core.img fits in the gap. */
export const PARTITION_START_SECTOR = 2048;

const PARTITION_TABLE_OFFSET = 446;
const PARTITION_ENTRY_BYTES = 16;
const BOOTABLE = 0x80;
/** CHS addresses that say "use the LBA fields" (the largest CHS value). */
const CHS_BEYOND = [0xfe, 0xff, 0xff];

/** MBR partition types for the FAT variants mformat chooses by size. */
const FAT_PARTITION_TYPES: Record<string, number> = { FAT12: 0x01, FAT16: 0x0e, FAT32: 0x0c };

/** The FAT variant named in a FAT boot sector (offset 54, or 82 for FAT32), e.g. "FAT16". */
export function fatVariant(bootSector: Buffer): string {
  for (const offset of [54, 82]) {
    const name = bootSector.toString('latin1', offset, offset + 8).trim();
    if (name in FAT_PARTITION_TYPES) return name;
  }
  throw new Error('the partition does not start with a FAT boot sector');
}

/**
 * GRUB's boot.img with a partition table holding one bootable FAT partition. boot.img
 * loads the sector after it (core.img's first sector, by default), which is where the
 * caller puts core.img: no grub-bios-setup, no loop device, no root.
 */
export function masterBootRecord(bootCode: Buffer, partition: { startSector: number; sectors: number; fat: string }): Buffer {
  if (bootCode.length !== SECTOR_BYTES) throw new Error(`boot.img must be ${SECTOR_BYTES} bytes, not ${bootCode.length}`);
  const type = FAT_PARTITION_TYPES[partition.fat];
  if (type === undefined) throw new Error(`no MBR partition type for ${partition.fat}`);
  const sector = Buffer.from(bootCode);
  sector.fill(0, PARTITION_TABLE_OFFSET, SECTOR_BYTES - 2);
  const entry = sector.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + PARTITION_ENTRY_BYTES);
  entry[0] = BOOTABLE;
  entry.set(CHS_BEYOND, 1);
  entry[4] = type;
  entry.set(CHS_BEYOND, 5);
  entry.writeUInt32LE(partition.startSector, 8);
  entry.writeUInt32LE(partition.sectors, 12);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** A FAT partition big enough for the kernel and GRUB's files: at least 16 MiB (so FAT16), in whole MiB. */
export function partitionSectors(kernelBytes: number): number {
  const mib = Math.max(16, Math.ceil(kernelBytes / (1 << 20)) + 2);
  return (mib << 20) / SECTOR_BYTES;
}
