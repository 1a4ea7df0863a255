// Names and bytes from outside: kernel and package names become folder names, image files
// are classified by their first bytes, QEMU's version line is parsed. Fuzzed: none may
// escape the artifacts folder, and none may throw anything but the documented usage error.
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode, RunnerError } from '../../src/errors.js';
import { classify } from '../../src/image/kind.js';
import { privateDirParent } from '../../src/qemu/private-dir.js';
import { parseQemuVersion } from '../../src/qemu/version.js';
import { safeName } from '../../src/run/plan.js';

const RUNS = 5000;
const ROOT = resolve('/artifacts/run-1');

// Names built from the pieces that could climb out of a folder, and plain random ones.
const piece = fc.constantFrom('..', '.', '/', '\\', '', 'x', '\0', '%2e', '~', 'é', '😀', ' ', '-', '$(rm -rf ~)', ';');
const name = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.tuple(fc.constantFrom('a', 'é', '.', '/'), fc.integer({ min: 1, max: 400 })).map(([unit, count]) => unit.repeat(count)),
);

describe('artifact folder names, fuzzed', () => {
  it('are always one short, plain folder name directly inside the artifacts folder', () => {
    fc.assert(
      fc.property(name, (raw) => {
        const folder = safeName(raw);
        expect(folder).toMatch(/^[A-Za-z0-9._[\]-]+$/);
        expect(['.', '..']).not.toContain(folder);
        expect(Buffer.byteLength(folder)).toBeLessThanOrEqual(255);
        expect(dirname(join(ROOT, folder))).toBe(ROOT);
      }),
      { numRuns: RUNS },
    );
  });

  it('keep plain names as they are, and long names apart', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/), (plain) => {
        expect(safeName(plain)).toBe(plain);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 101, maxLength: 400 }), fc.string({ minLength: 1, maxLength: 4 }), (long, suffix) => {
        expect(safeName(long)).not.toBe(safeName(long + suffix));
      }),
      { numRuns: 1000 },
    );
  });

  it('handle the classic escapes', () => {
    expect(safeName('../../x')).toBe('.._.._x');
    expect(safeName('.')).toBe('_.');
    expect(safeName('..')).toBe('_..');
    expect(safeName('')).toBe('_');
    expect(safeName('/etc/passwd')).toBe('_etc_passwd');
    expect(safeName('k'.repeat(300))).toMatch(/^k{87}-[0-9a-f]{12}$/);
    expect(safeName('é'.repeat(200))).toHaveLength(100);
  });
});

describe('image classification, fuzzed', () => {
  // The start of a real kernel: ELF64 with a Multiboot header (a.out kludge) at 4096.
  const kernelHead = (() => {
    const head = Buffer.alloc(8192);
    head.write('\x7fELF', 0, 'latin1');
    head[4] = 2;
    head.writeUInt32LE(0x1badb002, 4096);
    head.writeUInt32LE(0x10002, 4100);
    head.writeUInt32LE(-(0x1badb002 + 0x10002) >>> 0, 4104);
    return head;
  })();
  const mutated = fc.array(fc.tuple(fc.nat(8191), fc.nat(255)), { maxLength: 6 }).map((edits) => {
    const head = Buffer.from(kernelHead);
    for (const [at, value] of edits) head[at] = value;
    return head;
  });
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 0x8010 }).map((array) => Buffer.from(array)), mutated);

  it('gives a kind or the usage error that says why the file cannot boot, nothing else', () => {
    fc.assert(
      fc.property(bytes, (head) => {
        try {
          expect(['multiboot', 'disk', 'iso']).toContain(classify(head, 'k.elf'));
        } catch (error) {
          expect(error).toBeInstanceOf(RunnerError);
          expect((error as RunnerError).exitCode).toBe(ExitCode.Usage);
          expect((error as Error).message).toMatch(/^k\.elf (is|is an ELF)/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('QEMU version lines, fuzzed', () => {
  it('parse to two whole numbers or to nothing, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `QEMU emulator version ${a}.${b}.1`)), (line) => {
        const version = parseQemuVersion(line);
        if (version) for (const part of version) expect(part).toBeGreaterThanOrEqual(0); // a number, never NaN
      }),
      { numRuns: RUNS },
    );
    expect(parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)')).toEqual([7, 2]);
    expect(parseQemuVersion('QEMU emulator version 5.2.0')).toEqual([5, 2]);
  });
});

describe('the QMP socket folder', () => {
  it('stays in the temp folder while the socket path fits, and moves to /tmp when it would not', () => {
    expect(privateDirParent('/tmp')).toBe('/tmp');
    expect(privateDirParent('/var/folders/ab/cdefgh/T')).toBe('/var/folders/ab/cdefgh/T');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'deep', 'folder-with-a-long-name', 'é'), { maxLength: 30 }), (parts) => {
        const temp = join('/tmp', ...parts);
        const socket = join(privateDirParent(temp), `alloc-runner-${process.pid}-XXXXXX`, 'qmp.sock');
        expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(103);
      }),
      { numRuns: 1000 },
    );
  });
});
