// The serial parser's public face: one call for a whole capture, the classes for streams.
import type { SerialReport } from '../model.js';
import { splitLines } from './lines.js';
import { SerialParser } from './serial.js';

export { DEFAULT_MAX_LINE_LENGTH, LineSplitter, splitLines, type LineSplitterOptions } from './lines.js';
export { HANDSHAKE_LINE, SerialParser, type SerialParserOptions } from './serial.js';
export { DEFAULT_LIMITS, type ParseLimits } from './context.js';

/** Parses a whole serial capture (bytes as QEMU wrote them, or text). Never throws. */
export function parseSerialOutput(output: Uint8Array | string): SerialReport {
  const parser = new SerialParser();
  for (const line of splitLines(output)) parser.push(line);
  return parser.finish();
}
