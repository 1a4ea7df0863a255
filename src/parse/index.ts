// The serial parser's public face: one call for a whole capture, the classes for streams.
import type { SerialReport } from '../model.js';
import { splitLines } from '../capture/lines.js';
import { SerialParser } from './serial.js';

export { DEFAULT_MAX_LINE_LENGTH, LineSplitter, splitLines, type LineSplitterOptions } from '../capture/lines.js';
export { readSerialTimes } from '../capture/serial-times.js';
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
