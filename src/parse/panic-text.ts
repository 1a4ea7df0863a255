// The one way a panic is written, in every reason and every report.
import type { PanicInfo } from '../model.js';

function where(panic: PanicInfo): string {
  return panic.file === '' ? 'panicked' : `panicked at ${panic.file}:${panic.line}:${panic.column}`;
}

/** One line: `panicked at FILE:LINE:COL: first message line` (`panicked: …` if no location was printed). */
export function panicSummary(panic: PanicInfo): string {
  const first = panic.message.split('\n', 1)[0];
  return first ? `${where(panic)}: ${first}` : where(panic);
}

/** All of it, as Rust prints it: `panicked at FILE:LINE:COL:`, then the message's lines. */
export function panicText(panic: PanicInfo): string {
  return panic.message === '' ? `${where(panic)}:` : `${where(panic)}:\n${panic.message}`;
}
