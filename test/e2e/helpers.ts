// Shared by the end-to-end tests: they build real kernels with cargo and boot them in real QEMU.
import { execSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { parseArtifacts } from '../../src/build/cargo.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = resolve(ROOT, 'bin', 'alloc-runner.js');
export const FIXTURES = resolve(ROOT, 'fixtures');

/** The misbehaving kernels built (only `tests` where given), by name: their executables. */
export async function misbehavingKernels(...tests: string[]): Promise<Map<string, string>> {
  const only = tests.flatMap((test) => ['--test', test]);
  const build = await execa('cargo', ['test', '--no-run', '-p', 'misbehaving', ...only, '--message-format=json'], { cwd: FIXTURES });
  return new Map(parseArtifacts(build.stdout, 'test').map((kernel) => [kernel.name, kernel.executable]));
}

/** Runs the built CLI as a user would, without colours. */
export function alloc(args: string[], options: { cwd?: string; env?: Record<string, string>; nodeOptions?: string[] } = {}) {
  return execa('node', [...(options.nodeOptions ?? []), CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
    all: true,
  });
}

/** QEMU processes whose command line mentions `needle`: none may outlive a run. */
export function qemuProcessesWith(needle: string): string[] {
  try {
    return execSync('pgrep -a -f qemu-system', { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(needle));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * A copy of the fixtures workspace in `dest`/fixtures (and the linker script its build
 * script finds at ../../targets), for tests that change a manifest or a kernel's source.
 * Returns the copy's fixtures folder.
 */
export function copyFixtures(dest: string): string {
  const fixtures = join(dest, 'fixtures');
  mkdirSync(fixtures, { recursive: true });
  for (const part of ['kernel', 'bump_allocator', 'misbehaving', 'Cargo.toml', 'Cargo.lock', '.cargo']) {
    cpSync(join(FIXTURES, part), join(fixtures, part), { recursive: true, filter: (source) => !source.endsWith('/target') });
  }
  cpSync(join(ROOT, 'targets', 'kernel.ld'), join(dest, 'targets', 'kernel.ld'));
  return fixtures;
}

/**
 * A PATH holding only these programs (symlinks in a fresh folder), so that a test of a
 * missing program does not depend on what else the machine has in /usr/bin.
 */
export function pathWith(...programs: string[]): string {
  const bin = mkdtempSync(join(tmpdir(), 'path-'));
  for (const program of programs) {
    const found = execSync(`command -v ${program}`, { encoding: 'utf8', shell: '/bin/sh' }).trim();
    symlinkSync(found, join(bin, program));
  }
  return bin;
}

/** A raw disk image QEMU boots (boot code that halts, and the boot sector signature), written as `path`. */
export function haltingDisk(path: string): string {
  writeFileSync(path, Buffer.concat([Buffer.alloc(510, 0xf4), Buffer.from([0x55, 0xaa])]));
  return path;
}

/** Resolves once `output` (a running CLI's stderr or its interleaved output) has matched `pattern` `times` times; rejects if `run` ends first. */
export function waitForOutput(run: Promise<unknown>, output: Readable | undefined, pattern: RegExp, times = 1): Promise<void> {
  const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if ((seen.match(global)?.length ?? 0) >= times) {
        output?.off('data', onData);
        resolve();
      }
    };
    output?.on('data', onData);
    void run.then(() => reject(new Error(`the run ended before ${pattern} appeared ${times} times:\n${seen}`)));
  });
}
