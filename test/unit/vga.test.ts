import { describe, expect, it } from 'vitest';
import { decodeVgaBuffer, screenAnsi, screenText, VGA_BUFFER_BYTES } from '../../src/capture/vga.js';

function screenWith(text: string, attribute = 0x07, row = 0): Buffer {
  const buffer = Buffer.alloc(VGA_BUFFER_BYTES);
  for (let i = 0; i < VGA_BUFFER_BYTES; i += 2) buffer[i + 1] = 0x07;
  [...Buffer.from(text, 'latin1')].forEach((byte, column) => {
    buffer[(row * 80 + column) * 2] = byte;
    buffer[(row * 80 + column) * 2 + 1] = attribute;
  });
  return buffer;
}

describe('VGA text screen', () => {
  it('decodes 25 rows of 80 cells and trims blanks', () => {
    const screen = decodeVgaBuffer(screenWith('Allocator works!', 0x0a, 2));
    expect(screen.rows).toHaveLength(25);
    expect(screen.rows.every((row) => row.length === 80)).toBe(true);
    expect(screenText(screen)).toBe('\n\nAllocator works!');
    expect(screen.attributes[2]![0]).toBe(0x0a);
  });

  it('maps code page 437 beyond ASCII', () => {
    const screen = decodeVgaBuffer(screenWith('\xc9\xcd\xbb\x01'));
    expect(screenText(screen)).toBe('╔═╗☺');
  });

  it('draws colours with ANSI escapes: light green on black, red on blue', () => {
    expect(screenAnsi(decodeVgaBuffer(screenWith('ok', 0x0a)))).toBe('\x1b[92;40mok\x1b[0m');
    expect(screenAnsi(decodeVgaBuffer(screenWith('x', 0x14)))).toBe('\x1b[31;44mx\x1b[0m');
  });

  it('refuses a buffer that is too short', () => {
    expect(() => decodeVgaBuffer(Buffer.alloc(10))).toThrow(/4000 bytes; got 10/);
  });
});
