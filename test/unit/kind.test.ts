import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, firmwareMismatch } from '../../src/image/kind.js';

function elf(bits: 32 | 64, multibootFlags?: number): Buffer {
  const head = Buffer.alloc(8192);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = bits === 64 ? 2 : 1;
  if (multibootFlags !== undefined) {
    head.writeUInt32LE(0x1badb002, 4096);
    head.writeUInt32LE(multibootFlags, 4100);
    head.writeUInt32LE((-(0x1badb002 + multibootFlags)) >>> 0, 4104);
  }
  return head;
}

describe('image kinds', () => {
  it('accepts an ELF64 Multiboot kernel with the a.out kludge, and an ELF32 one without', () => {
    expect(classify(elf(64, 0x10003), 'k')).toBe('multiboot');
    expect(classify(elf(32, 0x3), 'k')).toBe('multiboot');
  });

  it('explains why an ELF64 without the a.out kludge cannot boot with -kernel', () => {
    expect(() => classify(elf(64, 0x3), 'k')).toThrow(/lacks the a\.out kludge \(flag bit 16/);
  });

  it('explains that an ELF without a Multiboot header cannot boot with -kernel', () => {
    expect(() => classify(elf(64), 'host-binary')).toThrow(/host-binary is an ELF file without a Multiboot 1 header/);
  });

  it('ignores a Multiboot magic whose checksum is wrong', () => {
    const head = elf(64, 0x10003);
    head.writeUInt32LE(0, 4104);
    expect(() => classify(head, 'k')).toThrow(/without a Multiboot 1 header/);
  });

  it('recognises a boot sector and an ISO 9660 image', () => {
    const disk = Buffer.alloc(512);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    expect(classify(disk, 'd')).toBe('disk');
    const iso = Buffer.alloc(0x8006);
    iso.write('CD001', 0x8001, 'latin1');
    expect(classify(iso, 'i')).toBe('iso');
  });

  it('rejects anything else, saying what it accepts', () => {
    expect(() => classify(Buffer.from('hello'), 'notes.txt')).toThrow(/notes\.txt is neither a Multiboot kernel/);
  });
});

describe('which firmware can boot an image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alloc-runner-kind-test-'));
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  /** A disk with boot code, and MBR partitions of these types. */
  const mbrDisk = (types: number[], bootCode = true) => {
    const disk = Buffer.alloc(34 * 512);
    if (bootCode) disk.fill(0x90, 0, 440);
    types.forEach((type, index) => (disk[446 + index * 16 + 4] = type));
    disk[510] = 0x55;
    disk[511] = 0xaa;
    return disk;
  };
  const gptDisk = (partitionTypes: Buffer[]) => {
    const disk = mbrDisk([0xee], false);
    disk.write('EFI PART', 512, 'latin1');
    disk.writeBigUInt64LE(2n, 512 + 72);
    disk.writeUInt32LE(128, 512 + 80);
    disk.writeUInt32LE(128, 512 + 84);
    partitionTypes.forEach((type, index) => type.copy(disk, 1024 + index * 128));
    return disk;
  };
  const ESP = Buffer.from('28732ac11ff8d211ba4b00a0c93ec93b', 'hex');
  const LINUX_DATA = Buffer.from('af3dc60f838472478e793d69d8477de4', 'hex');
  /** An ISO with an El Torito catalog: the default entry's platform, then section headers' platforms. */
  const iso = (defaultPlatform: number, sections: number[]) => {
    const image = Buffer.alloc(20 * 2048);
    image.write('CD001', 0x8001, 'latin1');
    const descriptor = 17 * 2048;
    image.write('CD001', descriptor + 1, 'latin1');
    image.write('EL TORITO SPECIFICATION', descriptor + 7, 'latin1');
    image.writeUInt32LE(19, descriptor + 0x47);
    const catalog = 19 * 2048;
    image[catalog] = 1;
    image[catalog + 1] = defaultPlatform;
    image[catalog + 0x1e] = 0x55;
    image[catalog + 0x1f] = 0xaa;
    image[catalog + 32] = 0x88;
    sections.forEach((platform, index) => {
      const header = catalog + 64 + index * 64;
      image[header] = index === sections.length - 1 ? 0x91 : 0x90;
      image[header + 1] = platform;
      image.writeUInt16LE(1, header + 2);
      image[header + 32] = 0x88;
    });
    return image;
  };

  it('refuses a Multiboot kernel under UEFI, pointing at --boot iso', async () => {
    expect(await firmwareMismatch('k', 'multiboot', 'bios')).toBeUndefined();
    expect(await firmwareMismatch('k', 'multiboot', 'uefi')).toMatch(/k is a Multiboot kernel, which UEFI firmware cannot boot with -kernel.*--boot iso/);
  });

  it('boots a GPT disk with an EFI system partition, or an MBR with one, on UEFI', async () => {
    expect(await firmwareMismatch(file('gpt-esp.img', gptDisk([LINUX_DATA, ESP])), 'disk', 'uefi')).toBeUndefined();
    expect(await firmwareMismatch(file('mbr-esp.img', mbrDisk([0x0c, 0xef])), 'disk', 'uefi')).toBeUndefined();
  });

  it('refuses a BIOS-only disk under UEFI, with the reason', async () => {
    expect(await firmwareMismatch(file('mbr.img', mbrDisk([0x0e])), 'disk', 'uefi')).toMatch(
      /mbr\.img is a BIOS-only disk image \(an MBR partition table without an EFI system partition\), so UEFI firmware cannot boot it\. Boot it with --firmware bios/,
    );
    expect(await firmwareMismatch(file('gpt.img', gptDisk([LINUX_DATA])), 'disk', 'uefi')).toMatch(/a GPT partition table without an EFI system partition/);
    expect(await firmwareMismatch(file('mbr.img', mbrDisk([0x0e])), 'disk', 'bios')).toBeUndefined();
  });

  it('refuses a disk without boot code under BIOS', async () => {
    expect(await firmwareMismatch(file('uefi-only.img', gptDisk([ESP])), 'disk', 'bios')).toMatch(/has no BIOS boot code .* Boot it with --firmware uefi/);
  });

  it("reads an ISO's El Torito catalog for its platforms", async () => {
    const hybrid = file('hybrid.iso', iso(0, [0xef]));
    expect(await firmwareMismatch(hybrid, 'iso', 'uefi')).toBeUndefined();
    expect(await firmwareMismatch(hybrid, 'iso', 'bios')).toBeUndefined();
    const biosOnly = file('bios.iso', iso(0, []));
    expect(await firmwareMismatch(biosOnly, 'iso', 'uefi')).toMatch(/boots only by BIOS \(its El Torito boot catalog has no EFI entry\)/);
    const efiOnly = file('efi.iso', iso(0xef, []));
    expect(await firmwareMismatch(efiOnly, 'iso', 'bios')).toMatch(/boots only on UEFI/);
    expect(await firmwareMismatch(file('plain.iso', Buffer.alloc(0x8006)), 'iso', 'uefi')).toMatch(/no EFI entry/);
  });
});
