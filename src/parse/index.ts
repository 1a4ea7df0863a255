// The serial parser's public face: one call for a whole capture, the classes for streams.
import type { SerialReport } from '../model.js';
import { splitLines } from './lines.js';
import { SerialParser } from './serial.js';

export { DEFAULT_MAX_LINE_LENGTH, LineSplitter, splitLines, type LineSplitterOptions } from './lines.js';
export { SerialParser, type SerialParserOptions } from './serial.js';
export { DEFAULT_LIMITS, type ParseLimits } from './context.js';

/**
 * Parses a whole serial capture (bytes as QEMU wrote them, or text), with when each line
 * arrived if known (`readSerialTimes` of its serial.times): tests then get durations. Never throws.
 */
export function parseSerialOutput(output: Uint8Array | string, times?: ReadonlyArray<number | undefined>): SerialReport {
  const parser = new SerialParser();
  splitLines(output).forEach((line, index) => parser.push(line, times?.[index]));
  return parser.finish();
}

/** The times of a serial.times file (one number of milliseconds a line); a line that is not a number reads as untimed. */
export function readSerialTimes(text: string): Array<number | undefined> {
  return text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1).map((line) => {
    const ms = Number(line);
    return line.trim() !== '' && Number.isFinite(ms) ? ms : undefined;
  });
}
