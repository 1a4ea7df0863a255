import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A log file that stops growing at a limit and waits for the disk instead of buffering.
 * A write that fails (a full disk) ends the log, never the run: `failure` says why.
 */
export class CappedLog {
  private readonly stream: WriteStream;
  private written = 0;
  private truncated = false;
  /** Why the log is incomplete, once a write failed. */
  failure: NodeJS.ErrnoException | undefined;

  constructor(
    path: string,
    private readonly maxBytes: number,
  ) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.truncated || this.failure) return;
    const room = this.maxBytes - this.written;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.written += part.length;
    const flushed = this.stream.write(part);
    if (part.length < chunk.length) {
      this.truncated = true;
      this.stream.write(`\n[alloc-runner: serial log truncated at ${this.maxBytes} bytes]\n`);
    }
    if (!flushed) await this.settled('drain');
  }

  async close(): Promise<void> {
    if (!this.stream.destroyed) this.stream.end();
    await this.settled('finish');
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
