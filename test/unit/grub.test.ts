import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { grubConfig, requireGrubTools } from '../../src/image/grub.js';
import { fatVariant, masterBootRecord, partitionSectors } from '../../src/image/mbr.js';

describe('grub.cfg', () => {
  it('boots the kernel at once with the runner word, and leaves the serial port alone', () => {
    const config = grubConfig(['alloc-runner']);
    expect(config).toContain('set timeout=0\n');
    expect(config).toContain('multiboot /boot/kernel.elf alloc-runner\nboot\n');
    expect(config).not.toMatch(/serial|terminal|menuentry/);
  });

  it('quotes words GRUB would split or expand, and refuses a single quote', () => {
    expect(grubConfig(['alloc-runner', 'filter=heap_*'])).toContain("multiboot /boot/kernel.elf alloc-runner 'filter=heap_*'\n");
    expect(() => grubConfig(["it's"])).toThrow(/single quote/);
  });
});

describe('the raw disk layout', () => {
  const bootCode = Buffer.alloc(512, 0x90);

  it('keeps boot.img\'s code and writes one bootable FAT16 partition at 1 MiB', () => {
    const mbr = masterBootRecord(bootCode, { startSector: 2048, sectors: 32768, fat: 'FAT16' });
    expect(mbr.subarray(0, 446).equals(bootCode.subarray(0, 446))).toBe(true);
    expect(mbr[446]).toBe(0x80);
    expect(mbr[446 + 4]).toBe(0x0e);
    expect(mbr.readUInt32LE(446 + 8)).toBe(2048);
    expect(mbr.readUInt32LE(446 + 12)).toBe(32768);
    expect(mbr.subarray(462, 510).every((byte) => byte === 0)).toBe(true);
    expect([mbr[510], mbr[511]]).toEqual([0x55, 0xaa]);
  });

  it('reads the FAT variant mformat chose from the partition\'s boot sector', () => {
    const sector = Buffer.alloc(512);
    sector.write('FAT16   ', 54, 'latin1');
    expect(fatVariant(sector)).toBe('FAT16');
    const fat32 = Buffer.alloc(512);
    fat32.write('FAT32   ', 82, 'latin1');
    expect(fatVariant(fat32)).toBe('FAT32');
    expect(() => fatVariant(Buffer.alloc(512))).toThrow(/FAT boot sector/);
  });

  it('sizes the partition to the kernel, 16 MiB at least', () => {
    expect(partitionSectors(1_700_000)).toBe(16 * 2048);
    expect(partitionSectors(40 << 20)).toBe(42 * 2048);
  });
});

describe('missing GRUB tools', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('are an environment error naming the apt packages', () => {
    process.env.PATH = '/nonexistent';
    for (const kind of ['iso', 'disk'] as const) {
      let error: unknown;
      try {
        requireGrubTools(kind);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ exitCode: ExitCode.Environment });
      expect((error as Error).message).toContain('sudo apt-get install grub-pc-bin grub-common xorriso mtools');
      expect((error as Error).message).toContain(kind === 'iso' ? 'grub-mkrescue, xorriso' : 'grub-mkimage, mformat, mmd, mcopy');
    }
  });
});
