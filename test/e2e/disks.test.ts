import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alloc, CLI, FIXTURES } from './helpers.js';

// Files and disks that cannot take what a run writes: each a one-line error naming the path
// and what is wrong, exit 4, before any kernel boots; a disk that fills during the run still
// gets the report on stdout, which says which artifacts are incomplete.

const BUNDLED = ['test', '--features', 'global_alloc', '--filter-kernel', 'no_alloc'];
const FLOOD = ['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), '--filter-kernel', 'misbehaving/flood'];
const base = mkdtempSync(join(tmpdir(), 'disks-'));
const mounts: string[] = [];

/** A 64 KiB tmpfs (mounting needs root, as on this machine and in CI containers). */
function smallDisk(name: string, options = 'size=64k'): string {
  const dir = join(base, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Writes until the file system says it is full. */
function fill(dir: string): void {
  try {
    for (let i = 0; ; i++) writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(4096));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
}

const canMount = process.getuid?.() === 0;

describe.skipIf(!canMount)('a disk that is full or read-only', () => {
  beforeAll(async () => {
    // Built once here, so that the runs below only plan and boot.
    expect((await alloc([...BUNDLED, '--list'])).exitCode).toBe(0);
    expect((await alloc([...FLOOD, '--list'])).exitCode).toBe(0);
  });
  afterAll(() => {
    for (const dir of mounts) execFileSync('umount', [dir]);
  });

  it('full before the run: exit 4 naming the artifacts folder, no kernel booted', async () => {
    const disk = smallDisk('full');
    fill(disk);
    const run = await alloc([...BUNDLED, '--artifacts-dir', join(disk, 'artifacts')]);
    expect(run.exitCode, run.all).toBe(4);
    expect(run.stderr).toMatch(new RegExp(`^error: cannot write the artifacts in ${disk}/artifacts/\\S+: no space is left on its file system \\(ENOSPC\\); free some space, or choose another folder with --artifacts-dir$`, 'm'));
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('    at ');
  });

  it('read-only: exit 4, saying it is read-only', async () => {
    const disk = smallDisk('read-only', 'ro,size=64k');
    const run = await alloc([...BUNDLED, '--artifacts-dir', join(disk, 'artifacts')]);
    expect(run.exitCode, run.all).toBe(4);
    expect(run.stderr).toContain(`error: cannot write the artifacts in ${disk}/artifacts/`);
    expect(run.stderr).toContain('its file system is read-only (EROFS)');
  });

  it('filling during the run: the verdict and the report on stdout, the incomplete artifacts named, the unwritten report file too', async () => {
    // flood writes serial lines as fast as it can until its 3 s timeout: its serial.log fills the disk.
    const disk = smallDisk('fills');
    // 44 of the 64 KiB taken already: 20 KiB left, enough for the check before the run, soon filled by the kernel.
    for (let i = 0; i < 11; i++) writeFileSync(join(disk, `filler-${i}`), Buffer.alloc(4096));
    const junit = join(disk, 'junit.xml');
    const run = await alloc([...FLOOD, '--artifacts-dir', join(disk, 'artifacts'), '--output-file', `junit=${junit}`]);
    expect(run.stdout).toContain('HANG  misbehaving flood');
    expect(run.stdout).toContain('reason: no exit within 3 s');
    expect(run.stdout).toContain("artifact incomplete: serial.log: no space is left on its file system (ENOSPC); the kernel's output was still read and judged");
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^0 passed, 1 failed/);
    expect(run.stderr).toContain(`error: could not write the junit report to ${junit}: no space is left on its file system (ENOSPC)`);
    expect(run.stderr).not.toContain('    at ');
    expect(run.exitCode, run.all).toBe(4);
  });
});

describe('a report file or summary that is a folder, a TMPDIR that is not there, a working folder too deep (exit 4)', () => {
  it('--output-file junit=FOLDER, before building', async () => {
    const run = await alloc(['test', '--output-file', `junit=${base}`]);
    expect(run.exitCode, run.all).toBe(4);
    expect(run.stderr.trim()).toBe(`error: --output-file junit=${base}: ${base} is a folder, not a file; name a file alloc-runner can write`);
  });

  it('GITHUB_STEP_SUMMARY naming a folder', async () => {
    const run = await alloc(['test'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: base } });
    expect(run.exitCode, run.all).toBe(4);
    expect(run.stderr.trim()).toBe(`error: GITHUB_STEP_SUMMARY=${base}: ${base} is a folder, not a file; name a file alloc-runner can write`);
  });

  it('a TMPDIR that does not exist', async () => {
    const missing = join(base, 'no-such-tmp');
    const run = await alloc([...BUNDLED], { env: { TMPDIR: missing } });
    expect(run.exitCode, run.all).toBe(4);
    expect(run.stderr.trim()).toBe(`error: the temporary folder TMPDIR=${missing} cannot be used: it does not exist (ENOENT); create it, or point TMPDIR at a folder you can write`);
  });

  it('a working folder deeper than the path limit (4096 bytes on Linux)', async () => {
    // 24 folders of 200 bytes, made and entered one at a time (relative paths, none too
    // long by itself), then alloc-runner started there.
    const script = `
      const { mkdirSync } = require('node:fs');
      const { spawnSync } = require('node:child_process');
      for (let i = 0; i < 24; i++) { mkdirSync('${'d'.repeat(200)}'); process.chdir('${'d'.repeat(200)}'); }
      process.exit(spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit' }).status);`;
    const run = await execa(process.execPath, ['-e', script, CLI, ...BUNDLED], { cwd: mkdtempSync(join(tmpdir(), 'deep-')), env: { NO_COLOR: '1' }, reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(4);
    expect(run.stderr.trim()).toBe('error: the current folder cannot be used: the path is too long for this system (ERANGE); run alloc-runner from a folder with a shorter path');
  });
});

