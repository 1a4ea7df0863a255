import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alloc, CLI } from './helpers.js';

describe('the command line', () => {
  it('documents every exit code in --help', async () => {
    const result = await alloc(['test', '--help']);
    expect(result.exitCode).toBe(0);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '130']) expect(result.stdout).toContain(`\n  ${code}`);
  });

  it('rejects an unknown option with the usage exit code', async () => {
    const result = await alloc(['test', '--frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });

  it('says which package to install when QEMU is missing', async () => {
    const result = await alloc(['test', '--qemu', '/nonexistent/qemu-system-x86_64', '--kernel', 'package.json']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/QEMU \(\/nonexistent\/qemu-system-x86_64\) was not found; install it: on Debian or Ubuntu `sudo apt-get install qemu-system-x86`/);
  });

  it('explains why a file is not a kernel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const missing = await alloc(['test', '--kernel', join(dir, 'nope.elf')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('kernel file not found');
    const text = await alloc(['test', '--kernel', join(dir, 'notes.txt')]);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain('is neither a Multiboot kernel');
  });

  it('refuses a manifest path that is not a Cargo project', async () => {
    const result = await alloc(['test', '--manifest-path', 'package.json']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a Cargo manifest');
  });

  it("shows Cargo's own message for a feature that does not exist, and exits with the build code", async () => {
    const result = await alloc(['test', '--features', 'no_such_feature']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/no_such_feature/);
  });

  it('reports a malformed configuration naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'Cargo.toml'), '[package]\nname = "k"\nversion = "0.1.0"\n\n[package.metadata.alloc-runner]\ntimeout = "soon"\n');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'lib.rs'), '');
    const result = await alloc(['test'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('package.metadata.alloc-runner.timeout: expected a positive number, got "soon"');
  });

  it('doctor lists what is installed and exits 0 when nothing required is missing', async () => {
    const result = await alloc(['doctor']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^ok\s+qemu\s+QEMU emulator version \d+\.\d+/m);
    expect(result.stdout).toMatch(/^ok\s+cargo\s+cargo \d/m);
  });

  it('doctor says how to install a missing QEMU, with the environment exit code', async () => {
    const result = await alloc(['doctor', '--qemu', 'no-such-qemu']);
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(/^MISSING qemu\s+no-such-qemu not found; install it: on Debian or Ubuntu `sudo apt-get install qemu-system-x86`/m);
  });

  it('run boots the demo kernel, shows its serial live and its screen at the end', async () => {
    const result = await alloc(['run', '--features', 'global_alloc', '--bin', 'kernel']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('Hello from the alloc-runner demo kernel!');
    expect(result.stdout).toMatch(/VGA screen: \n(.*\n)*Allocator works!/);
  });

  it('ends quietly when its reader stops early (| head)', async () => {
    const { execa } = await import('execa');
    const result = await execa('bash', ['-c', `node ${CLI} test --help | head -1; exit \${PIPESTATUS[0]}`], { reject: false });
    expect(result.stdout).toBe('Usage: alloc-runner test [options]');
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.exitCode).toBe(0);
  });
});
