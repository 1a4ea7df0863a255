// serial.times, beside serial.log: when each of its lines arrived, one number a line, in
// milliseconds since the guest started. Written and read here, so both agree on a line's time.

export const SERIAL_TIMES = 'serial.times';

/**
 * A line's time as serial.times keeps it (to 0.1 ms). The live run uses this rounded value
 * too, so a saved run reads back to the very durations the run reported.
 */
export function lineTime(ms: number): number {
  return Number(ms.toFixed(1));
}

/** The times of a serial.times file; a line that is not a number reads as untimed. */
export function readSerialTimes(text: string): Array<number | undefined> {
  return text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1).map((line) => {
    const ms = Number(line);
    return line.trim() !== '' && Number.isFinite(ms) ? ms : undefined;
  });
}
