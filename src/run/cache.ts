import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelResult } from '../model.js';
import type { KernelPlan } from './kernel.js';

/**
 * Passing results, remembered by what decides them: the kernel's id, the image's bytes, its
 * configuration, the QEMU binary and arguments, the command-line words and the runner's
 * version. A kernel whose key matches a remembered PASS is not booted again (`--cache`).
 * Only passes are kept: a failure is always run again.
 */
export class ResultCache {
  constructor(private readonly dir: string) {}

  async key(plan: KernelPlan, run: { qemu: string; accel: string; extraQemuArgs: string[]; cmdlineWords: string[]; version: string }): Promise<string> {
    const hash = createHash('sha256');
    hash.update(await readFile(plan.image));
    hash.update(JSON.stringify({ id: plan.id, kind: plan.imageKind, config: plan.config, ...run }));
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
    // Written aside, then renamed: two runs at once never read half a file.
    const partial = `${this.file(key)}.${process.pid}`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(partial, JSON.stringify(kept));
      await rename(partial, this.file(key));
    } catch {
      // A pass not remembered (a full disk) only means the next run boots the kernel again.
      await rm(partial, { force: true }).catch(() => {});
    }
  }

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }
}
