// What the reports show of a serial log: a flooding kernel's log is 64 MiB, a report keeps its
// last MiB. A log that is gone (a merged report from another machine) is shown as nothing.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const KEPT_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** The end of a log in whole lines, numbered as the file numbers them (from 1, each ending in `\n`). */
export interface LogTail {
  /** The lines shown, without their `\n`. */
  lines: string[];
  /** The number of the first of them: 1 unless the log's start is left out. */
  firstLine: number;
  /** Bytes of the log before the first line shown. */
  leftOutBytes: number;
}

/** The end of a log as text, saying how much of it is left out; undefined when the file is gone. */
export function readTail(path: string): string | undefined {
  return withFile(path, (fd, size) => {
    const start = Math.max(0, size - KEPT_BYTES);
    const text = read(fd, start, size).toString('utf8');
    return start > 0 ? `[alloc-runner: the first ${start} bytes of ${path} are left out]\n${text}` : text;
  });
}

/** The end of a log in whole lines, each with its number in the file; undefined when the file is gone. */
export function readTailLines(path: string, keptBytes = KEPT_BYTES): LogTail | undefined {
  return withFile(path, (fd, size) => {
    // One byte more than is kept: whether the kept part begins a line.
    const from = Math.max(0, size - keptBytes - 1);
    let bytes = read(fd, from, size);
    let firstLine = 1;
    let leftOutBytes = 0;
    if (size > keptBytes) {
      const newline = bytes.indexOf(NEWLINE);
      const cut = newline === -1 ? 1 : newline + 1; // a line longer than what is kept shows its end
      bytes = bytes.subarray(cut);
      leftOutBytes = from + cut;
      firstLine = newlinesBefore(fd, from) + (newline === -1 ? 1 : 2);
    }
    const lines = bytes.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop(); // the file ends a line, or is empty
    return { lines, firstLine, leftOutBytes };
  });
}

function withFile<T>(path: string, use: (fd: number, size: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return use(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

function read(fd: number, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  const length = readSync(fd, buffer, 0, buffer.length, start);
  return buffer.subarray(0, length);
}

/** How many lines end in the file's first `end` bytes, read a chunk at a time. */
function newlinesBefore(fd: number, end: number): number {
  const chunk = Buffer.alloc(KEPT_BYTES);
  let count = 0;
  for (let position = 0; position < end; ) {
    const length = readSync(fd, chunk, 0, Math.min(chunk.length, end - position), position);
    if (length === 0) break;
    const part = chunk.subarray(0, length);
    for (let at = part.indexOf(NEWLINE); at !== -1; at = part.indexOf(NEWLINE, at + 1)) count += 1;
    position += length;
  }
  return count;
}
