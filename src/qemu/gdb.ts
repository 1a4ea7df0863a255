import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { findExecutable } from '../environment.js';
import { usageError } from '../errors.js';
import { escapeOption } from './args.js';

/** The file name of QEMU's gdb stub socket in a boot's private folder. */
export const GDB_SOCKET_NAME = 'gdb.sock';

export const GDB_INSTALL_HINT = 'install it: on Debian or Ubuntu `sudo apt-get install gdb`, on Fedora `sudo dnf install gdb`';

/** `--gdb` with no PORT asks for any free port. */
export function parseGdbPort(value: string | true | undefined): number | undefined {
  if (value === undefined || value === true) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw usageError(`--gdb ${value}: expected a TCP port from 1 to 65535, or --gdb alone for a free one`);
  }
  return port;
}

/**
 * QEMU's gdb stub, reached through a TCP port on 127.0.0.1 that alloc-runner listens on and
 * relays to the stub's Unix socket in the boot's private folder. Relaying is how the runner
 * knows when a debugger is attached (the kernel's timeout stops then), and listening first
 * makes "a free port" free for sure, with no window for another program to take it.
 */
export class GdbPort {
  private attachedSocket: Socket | undefined;
  private stubSocket: string | undefined;
  private listeners: Array<(attached: boolean) => void> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (client) => this.attach(client));
  }

  /** Listens on 127.0.0.1:`port` (any free port when undefined); a busy port is a usage error. */
  static async listen(port: number | undefined): Promise<GdbPort> {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: port ?? 0 });
    try {
      await once(server, 'listening');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'is not allowed to this user' : `cannot be listened on (${(error as Error).message})`;
      throw usageError(`--gdb ${port}: port ${port} on 127.0.0.1 ${why}; choose another port, or give --gdb alone for a free one`);
    }
    // Waiting for a debugger does not keep alloc-runner alive; the QEMU it debugs does.
    server.unref();
    return new GdbPort(server, (server.address() as { port: number }).port);
  }

  get attached(): boolean {
    return this.attachedSocket !== undefined;
  }

  /** Called with true when a debugger attaches and false when it goes. */
  onAttach(listener: (attached: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /** Relays debuggers to the stub at this socket path (one boot's), or to none. */
  relayTo(stubSocket: string | undefined): void {
    this.stubSocket = stubSocket;
    if (!stubSocket) this.attachedSocket?.destroy();
  }

  close(): void {
    this.attachedSocket?.destroy();
    this.server.close();
  }

  private attach(client: Socket): void {
    // QEMU's stub serves one debugger at a time; so does its relay.
    if (this.attachedSocket || !this.stubSocket) {
      client.destroy();
      return;
    }
    this.attachedSocket = client;
    const stub = createConnection(this.stubSocket);
    client.pipe(stub);
    stub.pipe(client);
    let gone = false;
    const detach = () => {
      if (gone) return;
      gone = true;
      client.destroy();
      stub.destroy();
      this.attachedSocket = undefined;
      for (const listener of this.listeners) listener(false);
    };
    for (const socket of [client, stub]) {
      socket.on('close', detach);
      socket.on('error', detach);
    }
    for (const listener of this.listeners) listener(true);
  }
}

/** QEMU's arguments for a gdb stub on a Unix socket that QEMU listens on. */
export function gdbStubArgs(socketPath: string): string[] {
  return ['-chardev', `socket,id=alloc-runner-gdb,path=${escapeOption(socketPath)},server=on,wait=off`, '-gdb', 'chardev:alloc-runner-gdb'];
}

/** rust-gdb (gdb with Rust's pretty-printers) where it and gdb are installed, else gdb. */
export function debuggerProgram(find: (name: string) => string | undefined = findExecutable): string {
  return find('rust-gdb') && find('gdb') ? 'rust-gdb' : 'gdb';
}

/** The shell command that attaches a debugger to the stub, with the kernel's symbols when it has them. */
export function attachCommand(program: string, port: number, symbols: string | undefined): string {
  const commands = [`target remote 127.0.0.1:${port}`, ...(symbols ? [`symbol-file ${gdbFileName(symbols)}`] : [])];
  return [program, '-q', ...commands.flatMap((command) => ['-ex', shellQuote(command)])].join(' ');
}

/**
 * What the runner says once the kernel waits for a debugger. Hardware breakpoints (`hbreak`)
 * are what it suggests: under KVM a `break` set before the kernel is loaded is lost, since
 * the Multiboot loader copies the kernel over the instruction gdb patched; under TCG both work.
 */
export function attachInstructions(
  kernel: { id: string; crate?: string; symbols?: string },
  port: number,
  program: string,
  installed: boolean,
): string {
  const breakpoint = `hbreak ${kernel.crate ? `${kernel.crate}::main` : 'FUNCTION'}`;
  const lines = [
    `${kernel.id} is paused before its first instruction, waiting for a debugger on 127.0.0.1:${port}; its timeout stops while one is attached. Attach with:`,
    `  ${attachCommand(program, port, kernel.symbols)}`,
    kernel.symbols
      ? `then set breakpoints with hbreak (hardware breakpoints work under KVM and TCG alike), e.g. \`${breakpoint}\`, and \`continue\`.`
      : 'then `continue` (no symbols: the kernel is not an ELF file).',
  ];
  if (!installed) lines.push(`gdb is not installed; ${GDB_INSTALL_HINT}.`);
  return lines.join('\n');
}

/** gdb reads a file name as words: one with blanks, quotes or backslashes goes in double quotes. */
function gdbFileName(path: string): string {
  return /[\s"'\\]/.test(path) ? `"${path.replace(/["\\]/g, '\\$&')}"` : path;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
