import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialCapture } from '../../src/capture/serial.js';
import { readSerialTimes } from '../../src/capture/serial-times.js';
import { HANDSHAKE_LINE, HANDSHAKE_REPLY } from '../../src/protocol.js';
import type { SerialControls } from '../../src/model.js';

const scratch = mkdtempSync(join(tmpdir(), 'capture-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A boot as the serial side sees it: a clock that moves 1.23456 ms a line, and what was asked of it. */
function fakeBoot() {
  let ms = 0;
  const asked: string[] = [];
  const controls: SerialControls = {
    guestMs: () => (ms += 1.23456),
    readScreen: async () => {
      asked.push('read screen');
    },
    send: (text) => asked.push(`send ${JSON.stringify(text)}`),
    decide: () => asked.push('decide'),
  };
  return { controls, asked };
}

/** QEMU's stdout, in these pieces. */
function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

function capture(onLine: (line: string, atMs: number) => boolean = () => false) {
  const dir = mkdtempSync(join(scratch, 'capture-'));
  return new SerialCapture({ dir, onLine });
}

describe('the serial capture', () => {
  it('hands on whole lines with their times, and keeps them as serial.log and serial.times say', async () => {
    const seen: Array<[string, number]> = [];
    const serial = capture((line, atMs) => {
      seen.push([line, atMs]);
      return false;
    });
    await serial.read(chunks('KTAP vers', 'ion 1\r\n1..1\nok 1 a\n', 'no newline'), fakeBoot().controls);
    expect(seen.map(([line]) => line)).toEqual(['KTAP version 1', '1..1', 'ok 1 a', 'no newline']);
    expect(readFileSync(serial.logPath, 'utf8')).toBe('KTAP version 1\r\n1..1\nok 1 a\nno newline');
    expect(serial.bytes).toBe(38);
    // A saved run reads back to the very times the live run used.
    expect(readSerialTimes(readFileSync(serial.timesPath, 'utf8'))).toEqual(seen.map(([, atMs]) => atMs));
    expect(seen.map(([, atMs]) => atMs)).toEqual([1.2, 2.5, 3.7, 4.9]);
    expect(serial.incomplete()).toEqual([]);
  });

  it('answers the handshake once the screen is read, and nothing else', async () => {
    const { controls, asked } = fakeBoot();
    await capture().read(chunks(`ok 1 a\n  ${HANDSHAKE_LINE}  \n`), controls);
    await Promise.resolve();
    expect(asked).toEqual(['read screen', `send ${JSON.stringify(HANDSHAKE_REPLY)}`]);
  });

  it('asks the boot to end when a line decides the run', async () => {
    const { controls, asked } = fakeBoot();
    await capture((line) => line === 'Allocator works!').read(chunks('booting\nAllocator works!\n'), controls);
    expect(asked).toEqual(['decide']);
  });

  it('says which files could not be written, and still hands on every line', async () => {
    const lines: string[] = [];
    const serial = new SerialCapture({ dir: join(tmpdir(), 'no-such-folder-for-alloc-runner'), onLine: (line) => lines.push(line) < 0 });
    await serial.read(chunks('a\nb\n'), fakeBoot().controls);
    expect(lines).toEqual(['a', 'b']);
    expect(serial.incomplete()).toEqual([
      "serial.times: it does not exist (ENOENT); the tests' times were still measured",
      "serial.log: it does not exist (ENOENT); the kernel's output was still read and judged",
    ]);
  });
});
