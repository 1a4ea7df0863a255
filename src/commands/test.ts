import { dirname, join } from 'node:path';
import chalk from 'chalk';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import type { TestOptions } from '../options/declare.js';
import { resolveTest, type TestConfig } from '../options/resolve.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { catchInterruptions } from '../run/interrupt.js';
import { runKernel } from '../run/kernel.js';
import { mapConcurrent } from '../run/pool.js';
import { requireOvmf } from '../qemu/firmware.js';
import { checkBootable, planKernels, type KernelChoice } from '../run/plan.js';
import { filterKernels, kernelId, shardKernels } from '../run/select.js';
import { runSuite } from '../run/suite.js';
import { decideOutcome } from '../verdict/outcome.js';
import { checkArtifactsFolder, checkReportDestinations, checkTempFolder } from '../check/places.js';
import { writeReports } from '../report/index.js';
import { progress } from '../report/progress.js';
import { VERSION } from '../version.js';
import { listenForDebugger, requireOneKernel, waitingForDebugger } from '../run/debugger.js';
import type { WatchRound } from '../run/watch.js';
import { locateManifest, workspaceFolder } from '../project/locate.js';

/** `alloc-runner test`: the suite once, or under `--watch` again as sources change. */
export async function testCommand(options: TestOptions): Promise<ExitCodeValue> {
  const config = resolveTest(options);
  return config.watch ? watchTests(config) : runTests(config);
}

/** `--watch`: rounds of the suite as files change, from a terminal only. */
async function watchTests(config: TestConfig): Promise<ExitCodeValue> {
  const watch = await import('../run/watch.js');
  watch.requireTerminal();
  // --watch refuses --kernel: the kernels are Cargo's.
  const manifestPath = 'cargo' in config.plan.source ? config.plan.source.cargo.manifestPath : undefined;
  return watch.watchTests((round) => runTests(config, round), workspaceFolder(locateManifest(manifestPath, process.cwd())));
}

/** One run of the suite; under `--watch`, one round of the watch, which chooses the kernels that boot. */
async function runTests(config: TestConfig, round?: WatchRound): Promise<ExitCodeValue> {
  const { reporters } = config.report;
  checkReportDestinations(reporters);
  const { shard } = config.choice;
  const { cmdlineWords, list, bootPath: boot } = config;
  const qemu = list ? config.qemu.program : requireQemu(config.qemu.program);
  if (!list) checkTempFolder();
  const gdb = list ? undefined : await listenForDebugger(config.qemu.gdb);
  const accel = new Accelerator(config.qemu.accel);
  // Missing GRUB tools are found before anything is built. GRUB's modules, like the cache's,
  // are loaded only by the runs that use them.
  const grub = boot === 'kernel' || list ? undefined : await import('../image/grub.js');
  const grubTools = boot === 'kernel' ? undefined : grub?.requireGrubTools(boot);
  // So is a missing OVMF, when --firmware uefi says every kernel needs it.
  if (config.qemu.firmware === 'uefi' && !list) {
    requireOvmf(config.qemu.ovmf);
    if (grubTools && boot === 'iso') grub?.requireGrubEfi(grubTools);
  }
  // A hook's output is its verdict: Cargo's progress lines would bury it (errors still show).
  if (reporters.every(({ name }) => name === 'quiet')) process.env.CARGO_TERM_QUIET ??= 'true';
  let matchingCount = 0;
  // Kernels are chosen before bootimage projects' disk images are made: those left out cost nothing.
  const select: KernelChoice = (kernels) => {
    if (kernels.length === 0) {
      throw usageError(
        'Cargo built no test kernels, so there is nothing to test. Add test kernels as tests/*.rs with `harness = false`, or pass --kernel FILE.',
      );
    }
    const matching = filterKernels(kernels, config.choice.patterns);
    matchingCount = matching.length;
    const chosen = shard ? shardKernels(matching, shard) : matching;
    if (gdb) requireOneKernel(chosen);
    return chosen;
  };
  const { kernels: selected, artifactsRoot } = await planKernels('test', config.plan, select);
  if (list) {
    for (const plan of selected) process.stdout.write(`${kernelId(plan)}\n`);
    return ExitCode.Passed;
  }
  await checkArtifactsFolder(artifactsRoot, selected.map((plan) => plan.artifactsDir));
  const wrap = grubTools ? await import('../image/wrap.js') : undefined;
  if (wrap && grubTools && boot !== 'kernel') wrap.checkWrappable(selected, boot, grubTools);
  const ovmf = selected.some((plan) => plan.config.firmware === 'uefi') ? requireOvmf(config.qemu.ovmf) : undefined;
  // `--boot iso|disk`: each kernel is put into its GRUB image first (~0.2 s each), so the cache key is the image's.
  const plans = wrap && grubTools && boot !== 'kernel'
    ? await mapConcurrent(selected, config.jobs, (plan) => wrap.throughImage(plan, boot, grubTools, cmdlineWords))
    : selected;
  await checkBootable(plans, config.qemu.firmware);
  if (shard && plans.length === 0) process.stderr.write(`shard ${shard.index}/${shard.count} has no kernels to run (${matchingCount} in all)\n`);

  const toBoot = round ? await round.choose(plans) : plans;
  const interruption = catchInterruptions();
  const status = progress(toBoot.length);
  // A kernel to debug is booted, whatever the cache remembers.
  const cache = config.cache && !gdb ? new (await import('../run/cache.js')).ResultCache(join(dirname(artifactsRoot), 'cache')) : undefined;
  const { results, bail } = await runSuite(toBoot, {
    jobs: config.jobs,
    bail: config.bail,
    stopped: () => interruption.signal !== undefined,
    cache: cache && {
      store: cache,
      key: (plan) => cache.key(plan, { qemu, accel: config.qemu.accel, extraQemuArgs: config.qemu.extraArgs, cmdlineWords, version: VERSION }),
    },
    started: (plan) => status.started(plan.id),
    finished: (plan) => status.finished(plan.id),
    boot: (plan) =>
      runKernel(plan, {
        qemu,
        accel,
        extraQemuArgs: config.qemu.extraArgs,
        screenshots: config.qemu.screenshots,
        cmdlineWords,
        ovmf,
        onLine: config.report.verbose ? (kernel, line) => status.log(`${chalk.dim(`[${kernel.id}]`)} ${line}`) : undefined,
        gdb: gdb && { port: gdb, waiting: (kernel) => status.log(waitingForDebugger(kernel, gdb)) },
      }),
  });
  status.done();
  gdb?.close();
  if (bail) process.stderr.write(`--bail: stopped after ${kernelId(bail.failed)} failed; ${bail.notRun} kernel(s) not run or stopped\n`);

  round?.ran(plans, results);
  const outcome = decideOutcome(results, { bailed: bail !== undefined, signalExitCode: interruption.signal ? interruption.exitCode : undefined });
  await writeReports(outcome, {
    ...config.report,
    color: chalk,
    artifactsRoot,
    version: VERSION,
    shard,
  });
  interruption.dispose();
  if (interruption.signal) {
    process.stderr.write(`${interruption.signal}: ${toBoot.length - results.length} of ${toBoot.length} kernels were not started; exiting with ${outcome.exitCode}.\n`);
  }
  return outcome.exitCode;
}
