import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixtures, ROOT } from './helpers.js';

// The pre-commit framework (https://pre-commit.com), for real: Debian's pre-commit 3 installs
// the `alloc-runner` hook of .pre-commit-hooks.yaml from a Git repository holding this
// working tree (npm install, npm pack, npm install -g, as it does for every node hook), and
// runs it on commits of a repository holding the fixtures.

const hasPreCommit = (() => {
  try {
    execFileSync('pre-commit', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasPreCommit)('the pre-commit framework hook', () => {
  const base = mkdtempSync(join(tmpdir(), 'pre-commit-'));
  const hookRepo = join(base, 'alloc-runner');
  const repo = join(base, 'kernels');
  const env = {
    PRE_COMMIT_HOME: join(base, 'cache'),
    CARGO_TARGET_DIR: join(base, 'target'),
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env, reject: false, all: true });
  const heapTest = join(repo, 'fixtures', 'kernel', 'tests', 'heap_basics.rs');

  beforeAll(async () => {
    // This working tree as it is, committed in a repository of its own.
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      mkdirSync(dirname(join(hookRepo, file)), { recursive: true });
      cpSync(join(ROOT, file), join(hookRepo, file));
    }
    await git(hookRepo, 'init', '--quiet');
    await git(hookRepo, 'add', '.');
    expect((await git(hookRepo, 'commit', '--quiet', '-m', 'alloc-runner')).exitCode).toBe(0);
    const rev = (await git(hookRepo, 'rev-parse', 'HEAD')).stdout.trim();

    copyFixtures(repo);
    writeFileSync(
      join(repo, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: alloc-runner\n        args: [--manifest-path, fixtures/Cargo.toml, --features, global_alloc]\n`,
    );
    await git(repo, 'init', '--quiet');
    await git(repo, 'add', '.');
    expect((await git(repo, 'commit', '--quiet', '--no-verify', '-m', 'initial')).exitCode).toBe(0);
  });

  it('installs into the repository', async () => {
    const install = await execa('pre-commit', ['install'], { cwd: repo, env, reject: false, all: true });
    expect(install.exitCode, install.all).toBe(0);
    expect(install.stdout).toContain('pre-commit installed at .git/hooks/pre-commit');
  });

  it('lets a passing commit through, with one line from alloc-runner', async () => {
    appendFileSync(heapTest, '\n// a comment\n');
    await git(repo, 'add', heapTest);
    const commit = await git(repo, 'commit', '-m', 'a comment');
    expect(commit.exitCode, commit.all).toBe(0);
    expect(commit.all).toMatch(/alloc-runner \(kernel tests in QEMU\)\.+Passed/);
  }, 600_000);

  it('refuses a commit whose kernel test fails, saying which', async () => {
    writeFileSync(heapTest, readFileSync(heapTest, 'utf8').replace('ensure!(*a + 1 == 42', 'ensure!(*a + 1 == 43'));
    await git(repo, 'add', heapTest);
    const commit = await git(repo, 'commit', '-m', 'broken');
    expect(commit.exitCode, commit.all).not.toBe(0);
    expect(commit.all).toMatch(/alloc-runner \(kernel tests in QEMU\)\.+Failed/);
    expect(commit.all).toContain('heap_basics');
    expect(commit.all).toMatch(/alloc-runner: \d+ passed, [1-9]\d* failed/);
    expect((await git(repo, 'log', '--format=%s', '-1')).stdout).toBe('a comment');
  }, 600_000);
});
