import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue, environmentError, usageError } from '../errors.js';

/** The line by which `hook uninstall` knows a hook as its own: it removes nothing else. */
export const HOOK_MARKER = '# alloc-runner pre-commit hook';
const BACKUP_SUFFIX = '.alloc-runner-backup';

/** `alloc-runner test` as the hook runs it: one line on success, only the failures otherwise. */
export const HOOK_TEST_ARGS = ['test', '--reporter', 'quiet', '--cache'];

export async function hookInstall(testOptions: string[], options: { force?: boolean }): Promise<ExitCodeValue> {
  const hook = join(hooksDir(), 'pre-commit');
  const backup = hook + BACKUP_SUFFIX;
  const existing = existsSync(hook) ? await readFile(hook, 'utf8') : undefined;
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    if (!options.force) {
      throw usageError(
        `${hook} already exists and alloc-runner did not write it, so it was left alone. ` +
          `Add \`alloc-runner ${HOOK_TEST_ARGS.join(' ')}\` to it yourself, or run \`alloc-runner hook install --force\` to set it aside as ${backup}.`,
      );
    }
    if (existsSync(backup)) throw usageError(`${backup} already exists: move it away first, so that no hook is lost`);
    await rename(hook, backup);
    process.stdout.write(`moved the existing hook to ${backup}\n`);
  }
  await mkdir(resolve(hook, '..'), { recursive: true });
  await writeFile(hook, hookScript(testOptions));
  await chmod(hook, 0o755);
  process.stdout.write(`installed ${hook}: each commit runs \`alloc-runner ${[...HOOK_TEST_ARGS, ...testOptions].join(' ')}\` (skip once with git commit --no-verify)\n`);
  return ExitCode.Passed;
}

export async function hookUninstall(): Promise<ExitCodeValue> {
  const hook = join(hooksDir(), 'pre-commit');
  const backup = hook + BACKUP_SUFFIX;
  if (!existsSync(hook)) {
    process.stdout.write(`no pre-commit hook at ${hook}; nothing to remove\n`);
    return ExitCode.Passed;
  }
  if (!(await readFile(hook, 'utf8')).includes(HOOK_MARKER)) {
    throw usageError(`${hook} was not written by alloc-runner; it was left alone`);
  }
  await rm(hook);
  if (existsSync(backup)) {
    await rename(backup, hook);
    process.stdout.write(`removed alloc-runner's hook and put back the one it had set aside: ${hook}\n`);
  } else {
    process.stdout.write(`removed ${hook}\n`);
  }
  return ExitCode.Passed;
}

/**
 * The hook runs this same alloc-runner with this same node, by absolute paths: Git runs
 * hooks with whatever PATH the committing program has (an IDE's may lack node).
 */
export function hookScript(testOptions: string[]): string {
  const cli = realpathSync(process.argv[1]!);
  const command = [process.execPath, cli, ...HOOK_TEST_ARGS, ...testOptions].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    `${HOOK_MARKER}: written by \`alloc-runner hook install\`, removed by \`alloc-runner hook uninstall\`.`,
    '# Builds and runs the kernel tests of the working tree; a failing test blocks the commit.',
    '# Kernels that passed before with the same image and configuration are not booted again.',
    '# Skip it once with `git commit --no-verify`.',
    `exec ${command}`,
    '',
  ].join('\n');
}

/** Where Git looks for hooks here: .git/hooks, or core.hooksPath when set (also right in worktrees). */
function hooksDir(): string {
  let output: string;
  try {
    output = execFileSync('git', ['rev-parse', '--git-path', 'hooks'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw environmentError('git was not found on PATH; install Git to use alloc-runner hook');
    throw usageError(`not inside a Git repository (${String(failure.stderr ?? failure.message).trim()}); run alloc-runner hook in your repository`);
  }
  return resolve(output.trim());
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
