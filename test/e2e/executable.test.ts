// The executable as a package installs it: bin/, package.json and the bundle, nothing else (no
// node_modules, no tsc output). It boots a real kernel, and keeps V8's code cache beside the
// bundle: written by the first kernel-booting run, replaced when the bundle changes or the
// cache is unusable, never trusted blindly.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { misbehavingKernels, ROOT } from './helpers.js';

let kernel: string;
const installed = mkdtempSync(join(tmpdir(), 'installed-'));
const bundle = join(installed, 'dist', 'alloc-runner.cjs');
const cache = `${bundle}.cache`;

beforeAll(async () => {
  kernel = (await misbehavingKernels('no_handshake')).get('no_handshake')!;
  cpSync(join(ROOT, 'bin'), join(installed, 'bin'), { recursive: true });
  mkdirSync(join(installed, 'dist'));
  copyFileSync(join(ROOT, 'dist', 'alloc-runner.cjs'), bundle);
  copyFileSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
});
afterAll(() => rmSync(installed, { recursive: true, force: true }));

const run = (...args: string[]) =>
  execa(process.execPath, [join(installed, 'bin', 'alloc-runner.js'), ...args], { cwd: installed, env: { NO_COLOR: '1' }, reject: false, all: true });
const test = () => run('test', '--kernel', kernel);

/** The stamp the executable writes before V8's data: the bundle's size, mtime and inode. */
function stampOf(file: string): string {
  const { size, mtimeMs, ino } = statSync(file);
  return `${size} ${mtimeMs} ${ino}\n`;
}

describe('the bundle', () => {
  it('holds no import(): the executable compiles it with vm.Script, which cannot load one (bootimage-cache imports node:crypto so)', () => {
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/\bimport\(/);
  });
});

describe('the executable, installed', () => {
  it('runs from its bundle alone, and writes the code cache only from a run that boots kernels', async () => {
    const help = await run('--help');
    expect(help.exitCode, help.all).toBe(0);
    expect(help.stdout).toContain('Usage: alloc-runner');
    expect(existsSync(cache)).toBe(false);

    const first = await test();
    expect(first.exitCode, first.all).toBe(0);
    expect(first.stdout).toMatch(/^PASS {2}no_handshake/m);
    expect(readFileSync(cache, 'latin1').startsWith(stampOf(bundle))).toBe(true);

    // An accepted cache is left as it is.
    const written = statSync(cache).mtimeMs;
    expect((await test()).exitCode).toBe(0);
    expect(statSync(cache).mtimeMs).toBe(written);
  });

  it('replaces the cache of an older build, and a cache V8 rejects', async () => {
    expect((await test()).exitCode).toBe(0);
    // A rebuild: the same source, a new mtime.
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    const rebuilt = await test();
    expect(rebuilt.exitCode, rebuilt.all).toBe(0);
    expect(readFileSync(cache, 'latin1').startsWith(stampOf(bundle))).toBe(true);

    // The right stamp before data V8 cannot use.
    writeFileSync(cache, Buffer.concat([Buffer.from(stampOf(bundle)), Buffer.alloc(4096, 0x5a)]));
    const rejected = await test();
    expect(rejected.exitCode, rejected.all).toBe(0);
    expect(rejected.stdout).toMatch(/^PASS {2}no_handshake/m);
    expect(statSync(cache).size).toBeGreaterThan(100_000);
  });
});
