import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelResult } from '../model.js';
import type { KernelPlan } from './kernel.js';

/**
 * Passing results, remembered by what decides them: the image's bytes, the kernel's
 * configuration, the QEMU binary and arguments, the command-line words and the runner's
 * version. A kernel whose key matches a remembered PASS is not booted again (`--cache`).
 * Only passes are kept: a failure is always run again.
 */
export class ResultCache {
  constructor(private readonly dir: string) {}

  async key(plan: KernelPlan, run: { qemu: string; accel: string; extraQemuArgs: string[]; cmdlineWords: string[]; version: string }): Promise<string> {
    const hash = createHash('sha256');
    hash.update(await readFile(plan.image));
    hash.update(JSON.stringify({ kind: plan.imageKind, config: plan.config, ...run }));
    return hash.digest('hex');
  }

  async get(key: string): Promise<KernelResult | undefined> {
    try {
      const result = JSON.parse(await readFile(this.file(key), 'utf8')) as KernelResult;
      return { ...result, cached: true };
    } catch {
      return undefined; // not there, or written by a version that no longer reads
    }
  }

  async remember(key: string, result: KernelResult): Promise<void> {
    if (result.status !== 'pass' || result.cached) return;
    const { screen: _screen, ...kept } = result;
    await mkdir(this.dir, { recursive: true });
    // Written aside, then renamed: two runs at once never read half a file.
    const partial = `${this.file(key)}.${process.pid}`;
    await writeFile(partial, JSON.stringify(kept));
    await rename(partial, this.file(key));
  }

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }
}
