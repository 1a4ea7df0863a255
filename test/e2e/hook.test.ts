import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { alloc, CLI, FIXTURES, ROOT } from './helpers.js';

// The pre-commit hook in a real Git repository holding a copy of the bundled kernel workspace.

describe('alloc-runner hook', () => {
  const base = mkdtempSync(join(tmpdir(), 'hook-'));
  const repo = join(base, 'repo');
  // Outside the repository, so that nothing built is committed; one per test run.
  const env = { CARGO_TARGET_DIR: join(base, 'target'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execa('git', args, { cwd: repo, env, reject: false, all: true });
  const hookFile = join(repo, '.git', 'hooks', 'pre-commit');
  const commits = async () => Number((await git('rev-list', '--count', 'HEAD')).stdout);
  const testFile = join(repo, 'fixtures', 'kernel', 'tests', 'heap_basics.rs');
  const install = (...extra: string[]) => alloc(['hook', 'install', ...extra, '--', '--manifest-path', 'fixtures/Cargo.toml', '--features', 'global_alloc'], { cwd: repo, env });

  beforeAll(async () => {
    mkdirSync(join(repo, 'fixtures'), { recursive: true });
    for (const part of ['kernel', 'bump_allocator', 'misbehaving', 'Cargo.toml', 'Cargo.lock', '.cargo']) cpSync(join(FIXTURES, part), join(repo, 'fixtures', part), { recursive: true });
    // fixtures/kernel/build.rs finds the linker script at ../../targets/kernel.ld.
    cpSync(join(ROOT, 'targets', 'kernel.ld'), join(repo, 'targets', 'kernel.ld'));
    writeFileSync(join(repo, 'README.md'), 'a kernel\n');
    await git('init', '--quiet');
    await git('add', '.');
    const initial = await git('commit', '--quiet', '--no-verify', '-m', 'initial');
    expect(initial.exitCode, initial.all).toBe(0);
  });

  it('installs a marked, executable pre-commit hook that runs this alloc-runner quietly', async () => {
    const run = await install();
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain(`installed ${hookFile}`);
    const script = readFileSync(hookFile, 'utf8');
    expect(script).toContain('# alloc-runner pre-commit hook');
    expect(script).toContain(`${CLI} hook run -- --manifest-path fixtures/Cargo.toml --features global_alloc`);
    expect(statSync(hookFile).mode & 0o111).not.toBe(0);
  });

  it('lets a commit with passing tests through, printing one summary line', async () => {
    writeFileSync(testFile, `${readFileSync(testFile, 'utf8')}// a harmless change\n`);
    const commit = await git('commit', '-a', '-m', 'harmless');
    expect(commit.exitCode, commit.all).toBe(0);
    expect(commit.all).toMatch(/^alloc-runner: \d+ passed, 0 failed \(5 kernels\)$/m);
    expect(commit.all).not.toMatch(/Compiling|Finished|PASS/);
    expect(await commits()).toBe(2);
  });

  it('does not boot again the kernels that passed and did not change', async () => {
    writeFileSync(join(repo, 'README.md'), 'a kernel, documented\n');
    const commit = await git('commit', '-a', '-m', 'docs');
    expect(commit.exitCode, commit.all).toBe(0);
    expect(commit.all).toMatch(/^alloc-runner: \d+ passed, 0 failed \(5 kernels, 5 cached\)$/m);
  });

  it('refuses a commit that breaks a test, printing only the failure', async () => {
    const source = readFileSync(testFile, 'utf8');
    expect(source).toContain('ensure!(*a + 1 == 42');
    writeFileSync(testFile, source.replace('ensure!(*a + 1 == 42', 'ensure!(*a + 1 == 43'));
    const commit = await git('commit', '-a', '-m', 'broken');
    expect(commit.exitCode, commit.all).not.toBe(0);
    expect(commit.all).toMatch(/FAIL\s+kernel heap_basics/);
    expect(commit.all).toContain('✗ 1 box_allocation — boxed value is wrong');
    expect(commit.all).not.toContain('no_alloc');
    expect(commit.all).toMatch(/^alloc-runner: \d+ passed, 1 failed \(5 kernels, 4 cached\)$/m);
    expect(await commits()).toBe(3);
    writeFileSync(testFile, source);
  });

  it('tests what is being committed: a broken staged change is refused though the working tree is fixed, which stays as it was', async () => {
    const source = readFileSync(testFile, 'utf8');
    const broken = source.replace('ensure!(*a + 1 == 42', 'ensure!(*a + 1 == 43');
    writeFileSync(testFile, broken);
    await git('add', testFile);
    const fixed = `${source}// fixed, not staged\n`;
    writeFileSync(testFile, fixed);
    const commit = await git('commit', '-m', 'broken in the index');
    expect(commit.exitCode, commit.all).not.toBe(0);
    expect(commit.all).toContain('✗ 1 box_allocation — boxed value is wrong');
    expect(readFileSync(testFile, 'utf8')).toBe(fixed);
    expect((await git('show', ':fixtures/kernel/tests/heap_basics.rs')).stdout).toBe(broken.trimEnd());
    await git('checkout', 'HEAD', '--', testFile);
  });

  it('lets a good staged change through and keeps the broken unstaged one in the working tree', async () => {
    const source = readFileSync(testFile, 'utf8');
    const good = `${source}// a good change\n`;
    writeFileSync(testFile, good);
    await git('add', testFile);
    const unstaged = good.replace('ensure!(*a + 1 == 42', 'ensure!(*a + 1 == 43');
    writeFileSync(testFile, unstaged);
    const before = await commits();
    const commit = await git('commit', '-m', 'good in the index');
    expect(commit.exitCode, commit.all).toBe(0);
    expect(commit.all).toMatch(/^alloc-runner: \d+ passed, 0 failed/m);
    expect(await commits()).toBe(before + 1);
    expect(readFileSync(testFile, 'utf8')).toBe(unstaged);
    expect((await git('diff', '--stat')).stdout).toContain('heap_basics.rs');
    await git('checkout', 'HEAD', '--', testFile);
  });

  it('refuses test options alloc-runner test does not take, at install time', async () => {
    const before = readFileSync(hookFile, 'utf8');
    const run = await alloc(['hook', 'install', '--', '--featurs', 'x'], { cwd: repo, env });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr.trim()).toBe('error: hook install -- --featurs x: --featurs is not an option of alloc-runner test (see alloc-runner test --help); no hook was installed');
    const missing = await alloc(['hook', 'install', '--', '--jobs', '0'], { cwd: repo, env });
    expect(missing.exitCode, missing.all).toBe(2);
    expect(missing.stderr).toContain("argument '0' is invalid. expected a whole number of 1 or more");
    // Values commander takes as they are are checked as the test run would check them.
    const shard = await alloc(['hook', 'install', '--', '--shard', '3/2'], { cwd: repo, env });
    expect(shard.exitCode, shard.all).toBe(2);
    expect(shard.stderr).toContain('hook install -- --shard 3/2: --shard 3/2: expected K/N with 1 <= K <= N');
    expect(readFileSync(hookFile, 'utf8')).toBe(before);
  });

  it('never overwrites a hook it did not write; --force keeps it aside and uninstall puts it back', async () => {
    expect((await alloc(['hook', 'uninstall'], { cwd: repo })).exitCode).toBe(0);
    expect(existsSync(hookFile)).toBe(false);
    const foreign = '#!/bin/sh\necho "my own checks"\n';
    writeFileSync(hookFile, foreign, { mode: 0o755 });

    const refused = await install();
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('alloc-runner did not write it, so it was left alone');
    expect(readFileSync(hookFile, 'utf8')).toBe(foreign);
    const notOurs = await alloc(['hook', 'uninstall'], { cwd: repo });
    expect(notOurs.exitCode).toBe(2);
    expect(readFileSync(hookFile, 'utf8')).toBe(foreign);

    const forced = await install('--force');
    expect(forced.exitCode, forced.all).toBe(0);
    expect(readFileSync(`${hookFile}.alloc-runner-backup`, 'utf8')).toBe(foreign);
    expect(readFileSync(hookFile, 'utf8')).toContain('# alloc-runner pre-commit hook');

    const removed = await alloc(['hook', 'uninstall'], { cwd: repo });
    expect(removed.stdout).toContain('put back the one it had set aside');
    expect(readFileSync(hookFile, 'utf8')).toBe(foreign);
    expect(existsSync(`${hookFile}.alloc-runner-backup`)).toBe(false);
  });

  it('follows core.hooksPath', async () => {
    await git('config', 'core.hooksPath', '.githooks');
    const run = await install();
    expect(run.exitCode, run.all).toBe(0);
    expect(readFileSync(join(repo, '.githooks', 'pre-commit'), 'utf8')).toContain('# alloc-runner pre-commit hook');
    expect((await alloc(['hook', 'uninstall'], { cwd: repo })).exitCode).toBe(0);
    expect(existsSync(join(repo, '.githooks', 'pre-commit'))).toBe(false);
  });

  it('says so outside a Git repository', async () => {
    const run = await alloc(['hook', 'install'], { cwd: base });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('not inside a Git repository');
  });
});
