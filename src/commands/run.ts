import chalk from 'chalk';
import type { ExitCodeValue } from '../errors.js';
import { checkArtifactsFolder, checkTempFolder } from '../check/places.js';
import { requireQemu } from '../environment.js';
import type { RunOptions } from '../options/declare.js';
import { resolveRun } from '../options/resolve.js';
import { Accelerator } from '../qemu/accel.js';
import { runKernel } from '../run/kernel.js';
import { checkBootable, planOneKernel } from '../run/plan.js';
import { requireOvmf } from '../qemu/firmware.js';
import { drawnScreen, renderReport } from '../report/terminal.js';
import { decideOutcome } from '../verdict/outcome.js';
import { listenForDebugger, waitingForDebugger } from '../run/debugger.js';

/** Boots one kernel (the crate's binary, or --kernel FILE), its serial live, its screen at the end. */
export async function runCommand(options: RunOptions): Promise<ExitCodeValue> {
  const { plan: planSettings, qemu: settings, bin } = resolveRun(options);
  const qemu = requireQemu(settings.program);
  checkTempFolder();
  if (settings.firmware === 'uefi') requireOvmf(settings.ovmf);
  const gdb = await listenForDebugger(settings.gdb);
  const plan = await planOneKernel(planSettings, bin);
  await checkBootable([plan], settings.firmware);
  await checkArtifactsFolder(plan.artifactsDir, []);
  const result = await runKernel(plan, {
    qemu,
    accel: new Accelerator(settings.accel),
    extraQemuArgs: settings.extraArgs,
    ovmf: plan.config.firmware === 'uefi' ? requireOvmf(settings.ovmf) : undefined,
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
