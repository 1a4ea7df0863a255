import chalk from 'chalk';
import type { ExitCodeValue } from '../errors.js';
import { checkArtifactsFolder, checkTempFolder } from '../check/places.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { runKernel } from '../run/kernel.js';
import { checkBootable, planOneKernel, type SelectionOptions } from '../run/plan.js';
import { requireOvmf } from '../qemu/firmware.js';
import { drawnScreen, renderReport } from '../report/terminal.js';
import { decideOutcome } from '../verdict/outcome.js';
import { listenForDebugger, waitingForDebugger } from '../run/debugger.js';

export interface RunOptions extends SelectionOptions {
  bin?: string;
  /** `--gdb [PORT]`: true without a port. */
  gdb?: string | true;
}

/** Boots one kernel (the crate's binary, or --kernel FILE), its serial live, its screen at the end. */
export async function runCommand(options: RunOptions): Promise<ExitCodeValue> {
  const qemu = requireQemu(options.qemu);
  checkTempFolder();
  if (options.firmware === 'uefi') requireOvmf(options);
  const gdb = await listenForDebugger(options.gdb);
  const plan = await planOneKernel(options, 'run');
  await checkBootable([plan], options.firmware);
  await checkArtifactsFolder(plan.artifactsDir, []);
  const result = await runKernel(plan, {
    qemu,
    accel: new Accelerator(options.accel),
    extraQemuArgs: options.qemuArg,
    ovmf: plan.config.firmware === 'uefi' ? requireOvmf(options) : undefined,
    onLine: (_kernel, line) => process.stdout.write(`${line}\n`),
    gdb: gdb && { port: gdb, waiting: (kernel) => process.stderr.write(`${waitingForDebugger(kernel, gdb)}\n`) },
  });
  gdb?.close();
  process.stdout.write(`\n${renderReport([result], chalk, { verbose: false })}\n`);
  if (result.status === 'pass') {
    const screen = result.screenText === undefined ? `none (${result.noScreenReason})` : `\n${drawnScreen(result, chalk) || '(blank)'}`;
    process.stdout.write(`VGA screen: ${screen}\n`);
  }
  process.stdout.write(`Artifacts: ${plan.artifactsDir}\n`);
  return decideOutcome([result]).exitCode;
}
