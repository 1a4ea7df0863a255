import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import chalk from 'chalk';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { requireQemuVersion } from '../qemu/version.js';
import { catchInterruptions } from '../run/interrupt.js';
import { runKernel } from '../run/kernel.js';
import { mapConcurrent } from '../run/pool.js';
import { requireOvmf } from '../qemu/firmware.js';
import type { BootPath } from '../image/wrap.js';
import { checkBootable, planKernels, type KernelChoice, type SelectionOptions } from '../run/plan.js';
import { filterKernels, kernelId, parseShard, shardKernels } from '../run/select.js';
import { runSuite } from '../run/suite.js';
import { decideOutcome } from '../verdict/outcome.js';
import { checkArtifactsFolder, checkReportDestinations, checkTempFolder } from '../check/places.js';
import { writeReports } from '../report/index.js';
import { chooseReporters } from '../report/choice.js';
import { progress } from '../report/progress.js';
import { VERSION } from '../version.js';
import { listenForDebugger, requireOneKernel, waitingForDebugger } from '../run/debugger.js';
import type { WatchRound } from '../run/watch.js';

export interface TestOptions extends SelectionOptions {
  jobs?: number;
  verbose?: boolean;
  slowTestMs?: number;
  reporter: string[];
  outputFile: string[];
  shard?: string;
  filterKernel: string[];
  filterTest: string[];
  bail?: boolean;
  list?: boolean;
  cache?: boolean;
  boot?: BootPath;
  /** `--gdb [PORT]`: true without a port. */
  gdb?: string | true;
  watch?: boolean;
}

/** One run of the suite; under `--watch`, one round of the watch, which chooses the kernels that boot. */
export async function testCommand(options: TestOptions, round?: WatchRound): Promise<ExitCodeValue> {
  if (options.watch && !round) return watchCommand(options);
  const reporters = chooseReporters(options.reporter, options.outputFile);
  checkReportDestinations(reporters);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const cmdlineWords = testFilterWords(options.filterTest);
  const qemu = options.list ? options.qemu : requireQemu(options.qemu);
  if (!options.list) checkTempFolder();
  const gdb = options.list ? undefined : await listenForDebugger(options.gdb);
  const accel = new Accelerator(options.accel);
  const boot = options.boot ?? 'kernel';
  // Missing GRUB tools are found before anything is built. GRUB's modules, like the cache's,
  // are loaded only by the runs that use them.
  const grub = boot === 'kernel' || options.list ? undefined : await import('../image/grub.js');
  const grubTools = boot === 'kernel' ? undefined : grub?.requireGrubTools(boot);
  // So is a missing OVMF, when --firmware uefi says every kernel needs it.
  if (options.firmware === 'uefi' && !options.list) {
    requireOvmf(options);
    if (grubTools && boot === 'iso') grub?.requireGrubEfi(grubTools);
  }
  // A hook's output is its verdict: Cargo's progress lines would bury it (errors still show).
  if (reporters.every(({ name }) => name === 'quiet')) process.env.CARGO_TERM_QUIET ??= 'true';
  // The version check (~30 ms) runs while Cargo builds; a QEMU too old is the error to
  // report even when the build or a --kernel file fails too.
  let matchingCount = 0;
  // Kernels are chosen before bootimage projects' disk images are made: those left out cost nothing.
  const select: KernelChoice = (kernels) => {
    if (kernels.length === 0) {
      throw usageError(
        'Cargo built no test kernels, so there is nothing to test. Add test kernels as tests/*.rs with `harness = false`, or pass --kernel FILE.',
      );
    }
    const matching = filterKernels(kernels, options.filterKernel);
    matchingCount = matching.length;
    const chosen = shard ? shardKernels(matching, shard) : matching;
    if (gdb) requireOneKernel(chosen);
    return chosen;
  };
  const [planned, qemuChecked] = await Promise.allSettled([
    planKernels('test', options, select),
    options.list ? undefined : requireQemuVersion(qemu),
  ]);
  if (qemuChecked.status === 'rejected') throw qemuChecked.reason;
  if (planned.status === 'rejected') throw planned.reason;
  const { kernels: selected, artifactsRoot } = planned.value;
  if (options.list) {
    for (const plan of selected) process.stdout.write(`${kernelId(plan)}\n`);
    return ExitCode.Passed;
  }
  await checkArtifactsFolder(artifactsRoot, selected.map((plan) => plan.artifactsDir));
  const wrap = grubTools ? await import('../image/wrap.js') : undefined;
  if (wrap && grubTools && boot !== 'kernel') wrap.checkWrappable(selected, boot, grubTools);
  const ovmf = selected.some((plan) => plan.config.firmware === 'uefi') ? requireOvmf(options) : undefined;
  // `--boot iso|disk`: each kernel is put into its GRUB image first (~0.2 s each), so the cache key is the image's.
  const plans = wrap && grubTools && boot !== 'kernel'
    ? await mapConcurrent(selected, options.jobs ?? availableParallelism(), (plan) => wrap.throughImage(plan, boot, grubTools, cmdlineWords))
    : selected;
  await checkBootable(plans, options.firmware);
  if (shard && plans.length === 0) process.stderr.write(`shard ${shard.index}/${shard.count} has no kernels to run (${matchingCount} in all)\n`);

  const toBoot = round ? await round.choose(plans) : plans;
  const interruption = catchInterruptions();
  const status = progress(toBoot.length);
  // A kernel to debug is booted, whatever the cache remembers.
  const cache = options.cache && !gdb ? new (await import('../run/cache.js')).ResultCache(join(dirname(artifactsRoot), 'cache')) : undefined;
  const { results, bail } = await runSuite(toBoot, {
    jobs: options.jobs ?? availableParallelism(),
    bail: options.bail ?? false,
    stopped: () => interruption.signal !== undefined,
    cache: cache && {
      store: cache,
      key: (plan) => cache.key(plan, { qemu, accel: options.accel, extraQemuArgs: options.qemuArg, cmdlineWords, version: VERSION }),
    },
    started: (plan) => status.started(plan.id),
    finished: (plan) => status.finished(plan.id),
    boot: (plan) =>
      runKernel(plan, {
        qemu,
        accel,
        extraQemuArgs: options.qemuArg,
        cmdlineWords,
        ovmf,
        onLine: options.verbose ? (kernel, line) => status.log(`${chalk.dim(`[${kernel.id}]`)} ${line}`) : undefined,
        gdb: gdb && { port: gdb, waiting: (kernel) => status.log(waitingForDebugger(kernel, gdb)) },
      }),
  });
  status.done();
  gdb?.close();
  if (bail) process.stderr.write(`--bail: stopped after ${kernelId(bail.failed)} failed; ${bail.notRun} kernel(s) not run or stopped\n`);

  round?.ran(plans, results);
  const outcome = decideOutcome(results, { bailed: bail !== undefined, signalExitCode: interruption.signal ? interruption.exitCode : undefined });
  await writeReports(outcome, {
    reporters,
    color: chalk,
    verbose: options.verbose ?? false,
    slowTestMs: options.slowTestMs,
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

/** `--watch`: rounds of the suite as files change, from a terminal only; what would make it meaningless is refused. */
async function watchCommand(options: TestOptions): Promise<ExitCodeValue> {
  const refused = [options.gdb !== undefined && '--gdb', options.list && '--list', options.kernel.length > 0 && '--kernel', options.bail && '--bail'].filter(
    (option): option is string => typeof option === 'string',
  );
  if (refused.length > 0) throw usageError(`--watch reruns the kernels Cargo builds as their sources change, so it does not go with ${refused.join(', ')}`);
  const { requireTerminal, watchTests } = await import('../run/watch.js');
  requireTerminal();
  return watchTests((round) => testCommand(options, round));
}

/**
 * `--filter-test` patterns travel to the kernel as `filter=PATTERN` words on its Multiboot
 * command line (the README, "What a kernel speaks"); a word cannot hold a space.
 */
function testFilterWords(patterns: string[]): string[] {
  for (const pattern of patterns) {
    if (pattern === '' || /\s/.test(pattern)) {
      throw usageError(`--filter-test "${pattern}": a test filter is one word without spaces (use * and ? to match any characters)`);
    }
  }
  return patterns.map((pattern) => `filter=${pattern}`);
}
