import { once } from 'node:events';
import type { Server, Socket } from 'node:net';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** A minimal QMP client: commands with ids, events handed to listeners as they come. */
export class QmpClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered = '';
  private closed = false;
  private eventListeners: Array<(event: QmpEvent) => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
  }

  /**
   * Waits for QEMU to connect to `server` (QEMU is the socket's client, so nothing polls for
   * a socket file), then negotiates capabilities. Gives up after `timeoutMs`, or as soon as
   * `gone` settles: QEMU exited first.
   */
  static async accept(server: Server, timeoutMs: number, gone: Promise<unknown>): Promise<QmpClient> {
    let timer: NodeJS.Timeout | undefined;
    const socket = await Promise.race([
      once(server, 'connection').then(([connection]) => connection as Socket),
      gone.then(() => {
        throw new Error('QEMU exited before it connected to the QMP socket');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`QEMU did not connect to the QMP socket within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const client = new QmpClient(socket);
    await client.execute('qmp_capabilities');
    return client;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`QMP connection closed before "${command}"`));
    const id = this.nextId++;
    const message = JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${message}\n`);
    });
  }

  onEvent(listener: (event: QmpEvent) => void): void {
    this.eventListeners.push(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line) this.onMessage(parseMessage(line));
    }
  }

  private onMessage(message: Record<string, unknown>): void {
    if (typeof message.event === 'string') {
      const event = { event: message.event, data: message.data as Record<string, unknown> | undefined };
      for (const listener of this.eventListeners) listener(event);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return; // the greeting
    this.pending.delete(message.id as number);
    if ('error' in message) {
      const error = message.error as { class?: string; desc?: string };
      pending.reject(new Error(`QMP error ${error.class ?? ''}: ${error.desc ?? 'unknown'}`));
    } else {
      pending.resolve(message.return);
    }
  }

  private onClose(): void {
    this.closed = true;
    for (const pending of this.pending.values()) pending.reject(new Error('QMP connection closed'));
    this.pending.clear();
  }
}

/** QMP speaks one JSON object per line; anything else is ignored rather than trusted. */
function parseMessage(line: string): Record<string, unknown> {
  try {
    const message: unknown = JSON.parse(line);
    return typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
