import type { KernelResult } from '../model.js';
import { killAllQemu } from '../qemu/process.js';
import type { ResultCache } from './cache.js';
import type { KernelPlan } from './kernel.js';
import { mapConcurrent } from './pool.js';

export interface SuiteOptions {
  jobs: number;
  /** Stop at the first kernel that does not pass (`--bail`). */
  bail: boolean;
  /** True once the run was interrupted: no more kernels start. */
  stopped?: () => boolean;
  /** Remembered passes (`--cache`), and the key of each plan. */
  cache?: { store: ResultCache; key: (plan: KernelPlan) => Promise<string> };
  boot: (plan: KernelPlan) => Promise<KernelResult>;
  started?: (plan: KernelPlan) => void;
  finished?: (plan: KernelPlan) => void;
}

export interface SuiteOutcome {
  /** The kernels that finished (or came from the cache), in plan order. */
  results: KernelResult[];
  /** The first kernel that failed under `--bail`, and how many kernels it left unrun or stopped. */
  bail?: { failed: KernelResult; notRun: number };
}

/**
 * Runs the plans `jobs` at a time. Under `bail`, the first failure kills every running QEMU
 * and starts no more kernels; those stopped are left out of the results, since their
 * verdict would only be the kill's.
 */
export async function runSuite(plans: KernelPlan[], options: SuiteOptions): Promise<SuiteOutcome> {
  let failed: KernelResult | undefined;
  const outcomes = await mapConcurrent(plans, options.jobs, async (plan) => {
    if (failed || options.stopped?.()) return undefined;
    const key = await options.cache?.key(plan);
    const remembered = key === undefined ? undefined : await options.cache?.store.get(key);
    if (remembered) return remembered;
    options.started?.(plan);
    const result = await options.boot(plan);
    options.finished?.(plan);
    if (failed) return undefined;
    if (key !== undefined) await options.cache?.store.remember(key, result);
    if (options.bail && result.status !== 'pass') {
      failed = result;
      killAllQemu();
    }
    return result;
  });
  const results = outcomes.filter((result): result is KernelResult => result !== undefined);
  return failed ? { results, bail: { failed, notRun: plans.length - results.length } } : { results };
}
