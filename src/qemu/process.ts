import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface QemuExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when QEMU could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
}

export interface QemuProcess {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<QemuExit>;
}

// Every QEMU still running; none may outlive alloc-runner, however it ends.
const running = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts QEMU from an argument array, never through a shell. Plain child_process rather
 * than execa here: importing execa costs about 90 ms, as much as booting a small kernel.
 */
export function startQemu(binary: string, args: string[]): QemuProcess {
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<QemuExit>((resolve) => {
    child.once('error', (spawnError) => {
      running.delete(child);
      resolve({ exitCode: null, signal: null, spawnError });
    });
    child.once('close', (exitCode, signal) => {
      running.delete(child);
      resolve({ exitCode, signal });
    });
  });
  child.stdin.on('error', () => {}); // QEMU may be gone when the handshake byte is sent
  return { child, exited };
}

/** Stops every running QEMU now (used on interruption). */
export function killAllQemu(): void {
  for (const child of running) child.kill('SIGKILL');
}
