import { environmentError, ExitCode } from '../errors.js';
import { QEMU_INSTALL_HINT } from '../environment.js';
import { runChecked } from '../subprocess.js';

/** The oldest QEMU alloc-runner works with: `-action shutdown=pause` came in 6.0. */
export const MIN_QEMU_VERSION: readonly [number, number] = [6, 0];

/** `major.minor` from the first line of `qemu-system-x86_64 --version`, if it has one. */
export function parseQemuVersion(text: string): [number, number] | undefined {
  const match = /version (\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isRecentEnough([major, minor]: [number, number]): boolean {
  const [minMajor, minMinor] = MIN_QEMU_VERSION;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

// One check per binary and run: `--version` costs about 30 ms, so it is asked only of a QEMU
// that failed to start (boot.ts).
const checked = new Map<string, Promise<void>>();

/**
 * Fails with the environment exit code, naming the version needed, when `binary --version`
 * names a QEMU too old, or answers with no QEMU version at all. A binary that cannot even
 * answer is left to the boot's own ending, which says why it did not start.
 */
export function requireQemuVersion(binary: string): Promise<void> {
  let check = checked.get(binary);
  if (!check) {
    check = checkVersion(binary);
    checked.set(binary, check);
  }
  return check;
}

async function checkVersion(binary: string): Promise<void> {
  const needed = `QEMU ${MIN_QEMU_VERSION.join('.')} or newer is needed (for -action shutdown=pause)`;
  const output = await runChecked(binary, ['--version'], { timeoutMs: 10_000, exitCode: ExitCode.Environment }).then(
    ({ stdout, stderr }) => `${stdout}${stderr}`,
    () => undefined,
  );
  if (output === undefined) return;
  const firstLine = output.split('\n')[0]?.trim() ?? '';
  const version = parseQemuVersion(firstLine);
  if (!version) {
    throw environmentError(`${binary} --version did not print a QEMU version (${firstLine ? `"${firstLine}"` : 'it printed nothing'}); ${needed}. Point --qemu at qemu-system-x86_64, or ${QEMU_INSTALL_HINT}.`);
  }
  if (!isRecentEnough(version)) {
    throw environmentError(`${binary} is QEMU ${version.join('.')}, too old: ${needed}; ${QEMU_INSTALL_HINT}.`);
  }
}
