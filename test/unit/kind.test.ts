import { describe, expect, it } from 'vitest';
import { classify } from '../../src/image/kind.js';

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
