import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { DEFAULT_CONFIG } from '../../src/project/config.js';
import { ResultCache } from '../../src/run/cache.js';
import type { KernelPlan } from '../../src/run/kernel.js';
import { runSuite } from '../../src/run/suite.js';

// The cache on real files, with the boot replaced: what matters is which results come back unbooted.
const dir = mkdtempSync(join(tmpdir(), 'cache-test-'));
const plan = (name: string): KernelPlan => {
  const image = join(dir, name);
  writeFileSync(image, `image of ${name}`);
  return { id: name, name, image, imageKind: 'multiboot', config: DEFAULT_CONFIG, artifactsDir: join(dir, 'artifacts', name) };
};
const result = (kernel: KernelPlan, status: KernelResult['status']): KernelResult => ({
  id: kernel.id,
  name: kernel.name,
  image: kernel.image,
  status,
  tests: [],
  serialFormat: 'ktap',
  lastSerialLines: [],
  serialBytes: 0,
  artifacts: { dir: kernel.artifactsDir, serialLog: join(kernel.artifactsDir, 'serial.log') },
  durationMs: 1,
  qemuCommand: [],
});

/** Runs the plans twice with one cache; returns how often each kernel booted and the second run's results. */
async function twice(plans: KernelPlan[], status: (plan: KernelPlan) => KernelResult['status']) {
  const store = new ResultCache(mkdtempSync(join(dir, 'store-')));
  const cache = { store, key: (kernel: KernelPlan) => store.key(kernel, { qemu: 'qemu', accel: 'tcg', extraQemuArgs: [], cmdlineWords: [], version: '0' }) };
  const boots = new Map<string, number>();
  const boot = async (kernel: KernelPlan) => {
    boots.set(kernel.name, (boots.get(kernel.name) ?? 0) + 1);
    return result(kernel, status(kernel));
  };
  await runSuite(plans, { jobs: 1, bail: false, cache, boot });
  const second = await runSuite(plans, { jobs: 1, bail: false, cache, boot });
  return { boots, results: second.results };
}

describe('--cache', () => {
  it('skips a kernel that passed before, unchanged', async () => {
    const { boots, results } = await twice([plan('good')], () => 'pass');
    expect(boots.get('good')).toBe(1);
    expect(results.map((r) => [r.status, r.cached])).toEqual([['pass', true]]);
  });

  it('never remembers a failure, a hang, a crash, an error or an interruption: they boot again', async () => {
    const statuses = ['fail', 'hang', 'crash', 'error', 'interrupted'] as const;
    const { boots, results } = await twice(statuses.map(plan), (kernel) => kernel.name as KernelResult['status']);
    expect(statuses.map((name) => boots.get(name))).toEqual([2, 2, 2, 2, 2]);
    expect(results.map((r) => [r.status, r.cached])).toEqual(statuses.map((status) => [status, undefined]));
  });

  it('boots a kernel again when its image changed', async () => {
    const store = new ResultCache(mkdtempSync(join(dir, 'store-')));
    const kernel = plan('changing');
    const run = { qemu: 'qemu', accel: 'tcg', extraQemuArgs: [], cmdlineWords: [], version: '0' };
    const before = await store.key(kernel, run);
    await store.remember(before, result(kernel, 'pass'));
    writeFileSync(kernel.image, 'rebuilt');
    expect(await store.get(await store.key(kernel, run))).toBeUndefined();
    expect((await store.get(before))?.cached).toBe(true);
  });
});
