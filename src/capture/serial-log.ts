import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** How long written bytes wait, at most, to be gathered into one write to the file. */
const GATHER_MS = 50;
/** Bytes gathered before they are written at once, the writer then waiting for the disk. */
const GATHER_BYTES = 64 * 1024;

/**
 * A log file that stops growing at a limit and waits for the disk instead of buffering.
 * A kernel's serial output comes a few bytes at a time (a hundred pieces for a small test
 * kernel): what comes within `gatherMs` is written as one, since a file write per piece cost
 * more of alloc-runner's CPU than the rest of a kernel's run. So the file lags the kernel by
 * `gatherMs` (50 ms by default) at most, and a runner killed by SIGKILL loses that much of it.
 * A write that fails (a full disk) ends the log, never the run: `failure` says why.
 */
export class CappedLog {
  private readonly stream: WriteStream;
  private written = 0;
  private truncated = false;
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Why the log is incomplete, once a write failed. */
  failure: NodeJS.ErrnoException | undefined;

  constructor(
    path: string,
    private readonly maxBytes: number,
    private readonly gatherMs = GATHER_MS,
  ) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /**
   * Adds `chunk` to the log. A promise when the writer is to wait for the disk before it
   * writes more (as a stream's `false` says), else nothing.
   */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.truncated || this.failure) return undefined;
    const room = this.maxBytes - this.written;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.written += part.length;
    this.gather(part);
    if (part.length < chunk.length) {
      this.truncated = true;
      this.gather(Buffer.from(`\n[alloc-runner: serial log truncated at ${this.maxBytes} bytes]\n`));
    }
    if (this.gatheredBytes >= GATHER_BYTES || this.truncated) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.gatherMs).unref();
    return undefined;
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.stream.destroyed) this.stream.end();
    await this.settled('finish');
  }

  private gather(part: Buffer): void {
    this.gathered.push(part);
    this.gatheredBytes += part.length;
  }

  /** Writes what was gathered, as one; waits for the disk when the stream's buffer is full. */
  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.gatheredBytes === 0) return;
    const data = Buffer.concat(this.gathered, this.gatheredBytes);
    this.gathered = [];
    this.gatheredBytes = 0;
    if (this.failure || this.stream.destroyed) return;
    if (!this.stream.write(data)) await this.settled('drain');
  }

  /** Waits for `event`, or for the stream to end by an error (then no drain or finish comes). */
  private async settled(event: 'drain' | 'finish'): Promise<void> {
    if (this.stream.destroyed) return;
    // The wait that loses is taken off the stream: a flood waits for thousands of drains.
    const done = new AbortController();
    const { signal } = done;
    await Promise.race([once(this.stream, event, { signal }), once(this.stream, 'close', { signal })]).catch(() => {});
    done.abort();
  }
}
