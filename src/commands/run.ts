import type { ExitCodeValue } from '../errors.js';
import type { RunOptions } from '../options/declare.js';
import { resolveRun } from '../options/resolve.js';
import { bootOneKernel } from '../run/one-kernel.js';
import { planOneKernel } from '../run/plan.js';

/** Boots one kernel (the crate's binary, or --kernel FILE), its serial live, its screen at the end. */
export async function runCommand(options: RunOptions): Promise<ExitCodeValue> {
  const config = resolveRun(options);
  return bootOneKernel(config.qemu, () => planOneKernel(config.plan, config.bin), { screen: true });
}
