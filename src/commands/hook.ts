import { existsSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { Command } from '@commander-js/extra-typings';
import { declareTest, type HookInstallOptions } from '../options/declare.js';
import { resolveTest } from '../options/resolve.js';
import { runForStatus, runChecked } from '../subprocess.js';

/** The line by which `hook uninstall` knows a hook as its own: it removes nothing else. */
export const HOOK_MARKER = '# alloc-runner pre-commit hook';
const BACKUP_SUFFIX = '.alloc-runner-backup';

/** `alloc-runner test` as the hook runs it: one line on success, only the failures otherwise. */
export const HOOK_TEST_ARGS = ['test', '--reporter', 'quiet', '--cache'];

export async function hookInstall(testOptions: string[], options: HookInstallOptions): Promise<ExitCodeValue> {
  await checkTestOptions(testOptions);
  const hook = join(await hooksDir(), 'pre-commit');
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
  const hook = join(await hooksDir(), 'pre-commit');
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

/** Options a hook would pass to `alloc-runner test` on every commit: a mistake is found now, not at each commit. */
async function checkTestOptions(testOptions: string[]): Promise<void> {
  const test = declareTest(new Command('test'))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  let problem: string | undefined;
  try {
    const { operands, unknown } = test.parseOptions(testOptions);
    const stray = unknown[0] ?? operands[0];
    if (stray !== undefined) problem = `${stray} is not an option of alloc-runner test`;
    // Their combinations and values too, as the test run will resolve them.
    else resolveTest(test.opts());
  } catch (error) {
    problem = (error as Error).message.replace(/^error: /, '');
  }
  if (problem) throw usageError(`hook install -- ${testOptions.join(' ')}: ${problem} (see alloc-runner test --help); no hook was installed`);
}

/**
 * What the hook runs: `alloc-runner test` on what is being committed. The index (Git's
 * GIT_INDEX_FILE during a commit, so `git commit -a` and `git commit FILE` too) is copied
 * to <git dir>/alloc-runner/staged and tested there, from the same subfolder; the working
 * tree, unstaged changes included, is never touched. Cargo builds in
 * <git dir>/alloc-runner/target (unless CARGO_TARGET_DIR says otherwise), kept between
 * commits so that only what changed is rebuilt.
 */
export async function hookRun(testOptions: string[]): Promise<number> {
  const state = resolve(await git(['rev-parse', '--git-path', 'alloc-runner']));
  const subfolder = await git(['rev-parse', '--show-prefix']);
  const staged = join(state, 'staged');
  await rm(staged, { recursive: true, force: true });
  await mkdir(staged, { recursive: true });
  await git(['checkout-index', '--all', `--prefix=${staged}/`]);
  // Ctrl-C reaches the test run too (the terminal signals the whole group); it reports and exits.
  process.on('SIGINT', () => {});
  const terminated = new AbortController();
  process.on('SIGTERM', () => terminated.abort());
  const { status } = await runForStatus(process.execPath, [realpathSync(process.argv[1]!), ...HOOK_TEST_ARGS, ...testOptions], {
    cwd: join(staged, subfolder),
    env: { CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || join(state, 'target') },
    stdin: 'inherit',
    stdout: 'inherit',
    stderr: 'inherit',
    cancel: terminated.signal,
    exitCode: ExitCode.Environment,
  });
  return status;
}

/**
 * The hook runs this same alloc-runner with this same node, by absolute paths: Git runs
 * hooks with whatever PATH the committing program has (an IDE's may lack node).
 */
export function hookScript(testOptions: string[]): string {
  const cli = realpathSync(process.argv[1]!);
  const command = [process.execPath, cli, 'hook', 'run', '--', ...testOptions].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    `${HOOK_MARKER}: written by \`alloc-runner hook install\`, removed by \`alloc-runner hook uninstall\`.`,
    `# Runs \`alloc-runner ${HOOK_TEST_ARGS.join(' ')}\` on a copy of what is being committed (the index),`,
    '# never on the working tree; a failing test blocks the commit.',
    '# Kernels that passed before with the same image and configuration are not booted again.',
    '# Skip it once with `git commit --no-verify`.',
    `exec ${command}`,
    '',
  ].join('\n');
}

/** Where Git looks for hooks here: .git/hooks, or core.hooksPath when set (also right in worktrees). */
async function hooksDir(): Promise<string> {
  return resolve(await git(['rev-parse', '--git-path', 'hooks']));
}

/** A git command's output, trimmed; its failure as the error a user can act on. */
async function git(args: string[]): Promise<string> {
  const { stdout } = await runChecked('git', args, {
    exitCode: ExitCode.Usage,
    missing: 'git was not found on PATH; install Git to use alloc-runner hook',
    message: ({ stderr, why }) =>
      /not a git repository/i.test(stderr)
        ? `not inside a Git repository (${stderr.trim()}); run alloc-runner hook in your repository`
        : `git ${args.join(' ')} failed: ${stderr.trim() || why}`,
  });
  return stdout.trim();
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
