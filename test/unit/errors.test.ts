import { mkdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFsError } from '../../src/errors.js';

describe('describeFsError', () => {
  it('says in words what the file system refused, with its code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alloc-runner-errors-'));
    try {
      const file = join(dir, 'report.xml');
      await writeFile(file, '');
      const failure = await mkdir(file, { recursive: true }).catch((error: unknown) => error);
      expect(describeFsError(failure)).toBe('a file is where a folder is needed (EEXIST)');
      const under = await mkdir(join(file, 'sub'), { recursive: true }).catch((error: unknown) => error);
      expect(describeFsError(under)).toBe('a part of the path is a file, not a folder (ENOTDIR)');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('keeps the message of an error it has no words for', () => {
    expect(describeFsError(Object.assign(new Error('odd failure'), { code: 'EODD' }))).toBe('odd failure');
  });
});
