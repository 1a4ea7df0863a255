import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeFsError, environmentError } from '../errors.js';
import type { ReporterChoice } from '../report/choice.js';

// The places a run writes to, checked before any kernel boots: a full disk, a read-only
// folder, a folder where a file should be, a path too long are each one clear error (exit
// 4) naming the path, instead of a stack trace halfway through the run.

/** Node resolves every relative path against the current folder: it must have a path Node can read. */
export function checkWorkingFolder(): void {
  try {
    process.cwd();
  } catch (error) {
    throw environmentError(`the current folder cannot be used: ${describeFsError(error)}; run alloc-runner from a folder with a shorter path`);
  }
}

/** QEMU's private socket folders and GRUB's staging go to TMPDIR (else /tmp). */
export function checkTempFolder(): void {
  const temp = tmpdir();
  const named = process.env.TMPDIR ? `TMPDIR=${temp}` : temp;
  let problem: string | undefined;
  try {
    if (!statSync(temp).isDirectory()) problem = 'it is a file, not a folder';
    else accessSync(temp, constants.W_OK | constants.X_OK);
  } catch (error) {
    problem = describeFsError(error);
  }
  if (problem) throw environmentError(`the temporary folder ${named} cannot be used: ${problem}; create it, or point TMPDIR at a folder you can write`);
}

/** Makes the run's artifacts folders and writes a small file there, so that a full or read-only disk is found now. */
export async function checkArtifactsFolder(root: string, kernelDirs: string[]): Promise<void> {
  const probe = join(root, '.alloc-runner-write-test');
  let path = root;
  try {
    await mkdir(root, { recursive: true });
    for (const dir of kernelDirs) {
      path = dir;
      await mkdir(dir, { recursive: true });
    }
    path = root;
    await writeFile(probe, Buffer.alloc(4096));
  } catch (error) {
    throw environmentError(`cannot write the artifacts in ${path}: ${describeFsError(whyNotMade(path, error))}; free some space, or choose another folder with --artifacts-dir`);
  } finally {
    await rm(probe, { force: true });
  }
}

/**
 * A recursive mkdir that cannot make a folder says ENOENT even when the reason is a
 * read-only or forbidden parent: ask the nearest folder that exists what is wrong.
 */
function whyNotMade(path: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let parent = dirname(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
  } catch (cause) {
    return cause;
  }
  return error;
}

/** Every report file (`--output-file`) and the GitHub job summary must be a file alloc-runner can write. */
export function checkReportDestinations(reporters: ReporterChoice[], env: NodeJS.ProcessEnv = process.env): void {
  for (const { name, destination } of reporters) {
    if (destination.to === 'file') checkWritableFile(destination.path, `--output-file ${name}=${destination.path}`);
    if (name === 'github' && env.GITHUB_STEP_SUMMARY) checkWritableFile(env.GITHUB_STEP_SUMMARY, `GITHUB_STEP_SUMMARY=${env.GITHUB_STEP_SUMMARY}`);
  }
}

function checkWritableFile(path: string, origin: string): void {
  const fail = (problem: string) => environmentError(`${origin}: ${problem}; name a file alloc-runner can write`);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw fail(`${path} is a folder, not a file`);
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw fail(`${path} cannot be written: ${describeFsError(error)}`);
    }
    return;
  }
  // The folders that will be made go into the nearest one that exists.
  let parent = dirname(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  let problem: string | undefined;
  try {
    if (!statSync(parent).isDirectory()) problem = `${parent} is a file, not a folder`;
    else accessSync(parent, constants.W_OK);
  } catch (error) {
    problem = `nothing can be written in ${parent}: ${describeFsError(error)}`;
  }
  if (problem) throw fail(problem);
}
