import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { environmentError } from './errors.js';

export const DEFAULT_QEMU = 'qemu-system-x86_64';

/** The QEMU to use without --qemu: ALLOC_RUNNER_QEMU, where set and not blank (CI variables often are), else the default. */
export function defaultQemu(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALLOC_RUNNER_QEMU?.trim() ? env.ALLOC_RUNNER_QEMU : DEFAULT_QEMU;
}

/** The full path of an executable, searched on PATH when `name` has no slash. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const QEMU_INSTALL_HINT =
  'install it: on Debian or Ubuntu `sudo apt-get install qemu-system-x86`, on Fedora `sudo dnf install qemu-system-x86`, on macOS `brew install qemu`';

export function requireQemu(name: string): string {
  const found = findExecutable(name);
  if (!found) throw environmentError(`QEMU (${name}) was not found; ${QEMU_INSTALL_HINT}, or point --qemu at it.`);
  return found;
}
