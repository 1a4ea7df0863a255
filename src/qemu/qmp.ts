import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** A minimal QMP client: commands with ids, events collected in order. */
export class QmpClient {
  readonly events: QmpEvent[] = [];
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
   * Connects to QEMU's QMP socket, retrying while QEMU creates it, and leaves capabilities
   * negotiation done. Gives up after `timeoutMs` or when `stillAlive()` says QEMU has gone.
   */
  static async connect(path: string, timeoutMs: number, stillAlive: () => boolean): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await openSocket(path);
        const client = new QmpClient(socket);
        await client.execute('qmp_capabilities');
        return client;
      } catch (error) {
        if (!stillAlive()) throw new Error('QEMU exited before its QMP socket could be opened');
        if (Date.now() > deadline) {
          throw new Error(`QMP socket ${path} did not answer within ${timeoutMs} ms: ${(error as Error).message}`);
        }
        await sleep(10);
      }
    }
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
      if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(message: Record<string, unknown>): void {
    if (typeof message.event === 'string') {
      const event = { event: message.event, data: message.data as Record<string, unknown> | undefined };
      this.events.push(event);
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

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
