// The capture stage for serial: QEMU's stdout (the kernel's COM1) into lines, each with when it
// arrived, kept as serial.log and serial.times; the screen handshake answered on the way.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describeFsError } from '../errors.js';
import { HANDSHAKE_LINE, HANDSHAKE_REPLY } from '../protocol.js';
import type { SerialControls, SerialReader } from '../model.js';
import { LineSplitter } from './lines.js';
import { CappedLog } from './serial-log.js';
import { lineTime, SERIAL_TIMES } from './serial-times.js';

export const SERIAL_LOG = 'serial.log';
const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;

export interface SerialCaptureOptions {
  /** The kernel's artifacts folder: serial.log and serial.times go there. */
  dir: string;
  /** Every serial line, with when it arrived (ms since the guest started, as serial.times keeps it); true ends the run. */
  onLine: (line: string, atMs: number) => boolean;
  /** Each file stops growing here (64 MiB by default); the lines are still handed on. */
  maxLogBytes?: number;
}

/** One boot's serial output: read once, by the boot that made it. */
export class SerialCapture implements SerialReader {
  readonly logPath: string;
  readonly timesPath: string;
  /** Bytes the kernel wrote, all of them, whether or not the log kept them. */
  bytes = 0;
  readonly #onLine: SerialCaptureOptions['onLine'];
  readonly #log: CappedLog;
  readonly #times: CappedLog;
  /** The times of lines not yet written to serial.times. */
  readonly #pendingTimes: string[] = [];

  constructor(options: SerialCaptureOptions) {
    const maxBytes = options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
    this.logPath = join(options.dir, SERIAL_LOG);
    this.timesPath = join(options.dir, SERIAL_TIMES);
    this.#log = new CappedLog(this.logPath, maxBytes);
    this.#times = new CappedLog(this.timesPath, maxBytes);
    this.#onLine = options.onLine;
  }

  /**
   * Reads the output to its end; the files are closed when it resolves. Through 'data' events
   * rather than an async iterator, whose promises cost more than the rest of a small piece's
   * work, and a kernel's output comes in a hundred pieces or more.
   */
  async read(output: Readable, boot: SerialControls): Promise<void> {
    const lines = new LineSplitter();
    output.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      for (const line of lines.push(chunk)) this.#line(line, boot);
      const log = this.#log.write(chunk);
      const times = this.#writeTimes();
      if (log || times) {
        // The disk is behind: no more output until it has caught up.
        output.pause();
        void Promise.all([log, times]).then(() => output.resume());
      }
    });
    await finished(output);
    for (const line of lines.end()) this.#line(line, boot);
    await this.#log.close();
    await this.#writeTimes();
    await this.#times.close();
  }

  /** The files that could not be written whole (a full disk), each as `file: why`. */
  incomplete(): string[] {
    const incomplete: string[] = [];
    if (this.#times.failure) incomplete.push(`${SERIAL_TIMES}: ${describeFsError(this.#times.failure)}; the tests' times were still measured`);
    if (this.#log.failure) incomplete.push(`${SERIAL_LOG}: ${describeFsError(this.#log.failure)}; the kernel's output was still read and judged`);
    return incomplete;
  }

  #line(line: string, boot: SerialControls): void {
    const atMs = lineTime(boot.guestMs());
    this.#pendingTimes.push(String(atMs));
    if (this.#onLine(line, atMs)) boot.decide();
    // The kernel waits for the reply once its screen is read (the README, "What a kernel speaks").
    if (line.trim() === HANDSHAKE_LINE) void boot.readScreen().then(() => boot.send(HANDSHAKE_REPLY));
  }

  /** Adds the pending lines' times to serial.times; a promise when the disk is to be waited for. */
  #writeTimes(): Promise<void> | undefined {
    if (this.#pendingTimes.length === 0) return undefined;
    const times = Buffer.from(`${this.#pendingTimes.join('\n')}\n`);
    this.#pendingTimes.length = 0;
    return this.#times.write(times);
  }
}
