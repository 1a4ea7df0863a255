import chalk from 'chalk';
import type { ExitCodeValue } from '../errors.js';
import { checkArtifactsFolder, checkTempFolder } from '../check/places.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { requireOvmf } from '../qemu/firmware.js';
import type { QemuSettings } from '../qemu/settings.js';
import { drawnScreen, renderReport } from '../report/terminal.js';
import { decideOutcome } from '../verdict/outcome.js';
import { listenForDebugger, waitingForDebugger } from './debugger.js';
import { runKernel, type KernelPlan } from './kernel.js';
import { checkBootable } from './plan.js';

/**
 * One kernel booted in the foreground, the path `run` and Cargo's `runner` share: what the
 * boot needs is checked before the kernel is built, its serial is shown live, its verdict at
 * the end, and its screen when it passed and `screen` asks (the runner's verdict stays short:
 * `cargo test` boots one kernel after another).
 */
export async function bootOneKernel(settings: QemuSettings, plan: () => Promise<KernelPlan>, { screen }: { screen: boolean }): Promise<ExitCodeValue> {
  const qemu = requireQemu(settings.program);
  checkTempFolder();
  if (settings.firmware === 'uefi') requireOvmf(settings.ovmf);
  const gdb = await listenForDebugger(settings.gdb);
  const kernel = await plan();
  await checkBootable([kernel], settings.firmware);
  await checkArtifactsFolder(kernel.artifactsDir, []);
  const result = await runKernel(kernel, {
    qemu,
    accel: new Accelerator(settings.accel),
    extraQemuArgs: settings.extraArgs,
    screenshots: settings.screenshots,
    ovmf: kernel.config.firmware === 'uefi' ? requireOvmf(settings.ovmf) : undefined,
    onLine: (_kernel, line) => process.stdout.write(`${line}\n`),
    gdb: gdb && { port: gdb, waiting: (booted) => process.stderr.write(`${waitingForDebugger(booted, gdb)}\n`) },
  });
  gdb?.close();
  process.stdout.write(`\n${renderReport([result], chalk, { verbose: false })}\n`);
  if (screen && result.status === 'pass') {
    const screen = result.screenText === undefined ? `none (${result.noScreenReason})` : `\n${drawnScreen(result, chalk) || '(blank)'}`;
    process.stdout.write(`VGA screen: ${screen}\n`);
  }
  process.stdout.write(`Artifacts: ${kernel.artifactsDir}\n`);
  return decideOutcome([result]).exitCode;
}
