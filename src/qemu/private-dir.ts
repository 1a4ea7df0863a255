import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each boot's private folder holds its QMP socket and the raw screen dump. mkdtemp makes it
// private to the user (0700), so no one else can reach the socket inside.

export const QMP_SOCKET_NAME = 'qmp.sock';
/** Unix socket paths hold at most 103 bytes on macOS, 107 on Linux (sun_path). */
const MAX_SOCKET_PATH_BYTES = 103;
/** The pid in the name tells a later run whether the folder's owner is still alive. */
const PREFIX = `alloc-runner-${process.pid}-`;

// The folders of the boots in flight: removed on exit, and by a second Ctrl-C, which ends
// the process before the boots' own clean-up runs.
const live = new Set<string>();
process.on('exit', removePrivateDirs);
let swept = false;

/** Makes a boot's private folder. */
export async function makePrivateDir(): Promise<string> {
  const parent = privateDirParent();
  if (!swept) {
    swept = true;
    sweepDeadRuns(parent);
  }
  const dir = await mkdtemp(join(parent, PREFIX));
  live.add(dir);
  return dir;
}

export async function removePrivateDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes the private folders of the boots in flight, now. */
export function removePrivateDirs(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
}

/** The temp folder, unless a deep TMPDIR would make the socket path too long: then /tmp. */
export function privateDirParent(temp = tmpdir()): string {
  const socketPath = join(temp, `${PREFIX}XXXXXX`, QMP_SOCKET_NAME);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES ? temp : '/tmp';
}

/**
 * A run that died by SIGKILL (or any signal it did not catch) could not remove its
 * folders; the next run does, once it sees their owner is gone. Folders of live processes,
 * and of other users (EPERM), are left alone.
 */
function sweepDeadRuns(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^alloc-runner-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // not ours to remove
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
