import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from '../../src/capture/lines.js';

/** Feeds `bytes` cut at each of `cuts` (sorted byte offsets). */
function splitAt(bytes: Buffer, cuts: number[], maxLineLength?: number): string[] {
  const splitter = new LineSplitter({ maxLineLength });
  const out: string[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(start, cut)));
    start = cut;
  }
  return [...out, ...splitter.end()];
}

describe('LineSplitter', () => {
  it('splits on LF and CR LF and strips the ending', () => {
    expect(splitLines('a\nb\r\nc\r\n')).toEqual(['a', 'b', 'c']);
  });

  it('keeps empty lines and a lone CR inside a line', () => {
    expect(splitLines('\n\r\nx\ry\n')).toEqual(['', '', 'x\ry']);
  });

  it('emits the last line without a newline on end(), and nothing after a final newline', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('one\ntw')).toEqual(['one']);
    expect(splitter.end()).toEqual(['tw']);
    expect(splitLines('one\n')).toEqual(['one']);
    expect(splitLines('')).toEqual([]);
  });

  it('strips a CR at the very end of the stream', () => {
    expect(splitLines('last\r')).toEqual(['last']);
  });

  it('joins CR and LF that arrive in different chunks', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\r')).toEqual([]);
    expect(splitter.push('\nb')).toEqual(['a']);
    expect(splitter.end()).toEqual(['b']);
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = Buffer.from('é😀\n', 'utf8');
    const splitter = new LineSplitter();
    const out = [...bytes].flatMap((byte) => splitter.push(Buffer.from([byte])));
    expect([...out, ...splitter.end()]).toEqual(['é😀']);
  });

  it('replaces invalid bytes, including a character cut off by the end', () => {
    expect(splitLines(Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xe2, 0x82]))).toEqual(['a\uFFFDb', '\uFFFD']);
  });

  it('flushes an incomplete character when a string chunk follows bytes', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from([0xe2, 0x82]));
    expect(splitter.push('x\n')).toEqual(['\uFFFDx']);
  });

  it('truncates an over-long line and counts what it dropped', () => {
    expect(splitLines(`${'a'.repeat(10)}\r\nok\n`, { maxLineLength: 4 })).toEqual([
      'aaaa …[truncated 6 chars]',
      'ok',
    ]);
  });

  it('caps at 4096 chars by default and keeps a line of exactly the cap whole', () => {
    const [long] = splitLines(`${'x'.repeat(5000)}\n`);
    expect(long).toBe(`${'x'.repeat(4096)} …[truncated 904 chars]`);
    expect(splitLines(`${'y'.repeat(4096)}\r\n`)).toEqual(['y'.repeat(4096)]);
  });

  it('does not cut a surrogate pair in half', () => {
    expect(splitLines('ab😀c\n', { maxLineLength: 3 })).toEqual(['ab …[truncated 3 chars]']);
  });

  it('keeps memory bounded: a huge line fed in pieces holds only the cap', () => {
    const splitter = new LineSplitter({ maxLineLength: 8 });
    for (let i = 0; i < 10_000; i += 1) splitter.push('0123456789');
    expect(splitter.end()).toEqual(['01234567 …[truncated 99992 chars]']);
  });

  it('is reusable after end()', () => {
    const splitter = new LineSplitter();
    splitter.push('first');
    splitter.end();
    expect([...splitter.push('second\n'), ...splitter.end()]).toEqual(['second']);
  });

  it('rejects a maxLineLength that is not a positive integer', () => {
    expect(() => new LineSplitter({ maxLineLength: 0 })).toThrow(RangeError);
    expect(() => new LineSplitter({ maxLineLength: Number.NaN })).toThrow(RangeError);
  });

  describe('gives the same lines however the input is chunked', () => {
    const sample = Buffer.concat([
      Buffer.from('KTAP version 1\r\n1..2\r\n# ünïcödé ✓ 😀 日本\r\n', 'utf8'),
      Buffer.from([0x6f, 0x6b, 0x20, 0xc3, 0x28, 0xf0, 0x9f, 0x98, 0x0d, 0x0a]), // invalid sequences
      Buffer.from(`${'ä😀'.repeat(6)}\r\n\r\nlast 😀`, 'utf8'), // over-long with a cap of 7
    ]);
    const whole = splitLines(sample, { maxLineLength: 7 });

    it('at every single byte position', () => {
      for (let cut = 0; cut <= sample.length; cut += 1) {
        expect(splitAt(sample, [cut], 7), `cut at ${cut}`).toEqual(whole);
      }
    });

    it('one byte at a time', () => {
      const everyByte = Array.from({ length: sample.length }, (_, i) => i);
      expect(splitAt(sample, everyByte, 7)).toEqual(whole);
    });

    it('at every pair of positions', () => {
      for (let a = 0; a <= sample.length; a += 1) {
        for (let b = a; b <= sample.length; b += 3) {
          expect(splitAt(sample, [a, b], 7)).toEqual(whole);
        }
      }
    });
  });
});
