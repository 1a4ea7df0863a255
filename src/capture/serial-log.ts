import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** A log file that stops growing at a limit and waits for the disk instead of buffering. */
export class CappedLog {
  private readonly stream: WriteStream;
  private written = 0;
  private truncated = false;

  constructor(
    path: string,
    private readonly maxBytes: number,
  ) {
    this.stream = createWriteStream(path);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.truncated) return;
    const room = this.maxBytes - this.written;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.written += part.length;
    const flushed = this.stream.write(part);
    if (part.length < chunk.length) {
      this.truncated = true;
      this.stream.write(`\n[alloc-runner: serial log truncated at ${this.maxBytes} bytes]\n`);
    }
    if (!flushed) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
