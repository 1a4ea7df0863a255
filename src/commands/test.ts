import { availableParallelism } from 'node:os';
import chalk from 'chalk';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { mapConcurrent } from '../run/pool.js';
import { runKernel } from '../run/kernel.js';
import { planKernels, type SelectionOptions } from '../run/plan.js';
import { totals } from '../report/terminal.js';
import { checkReporters, writeReports } from '../report/index.js';
import { progress } from '../report/progress.js';
import { VERSION } from '../version.js';

export interface TestOptions extends SelectionOptions {
  jobs?: number;
  verbose?: boolean;
  reporter: string[];
  outputFile: string[];
}

export async function testCommand(options: TestOptions): Promise<ExitCodeValue> {
  const reporters = options.reporter.length > 0 ? options.reporter : ['default'];
  checkReporters(reporters, options.outputFile);
  const qemu = requireQemu(options.qemu);
  const accel = new Accelerator(options.accel);
  const { kernels: plans, artifactsRoot } = await planKernels('test', options);
  if (plans.length === 0) {
    throw usageError(
      'Cargo built no test kernels, so there is nothing to test. Add test kernels as tests/*.rs with `harness = false`, or pass --kernel FILE.',
    );
  }

  const status = progress(plans.length);
  const results = await mapConcurrent(plans, options.jobs ?? availableParallelism(), async (plan) => {
    status.started(plan.name);
    const result = await runKernel(plan, {
      qemu,
      accel,
      extraQemuArgs: options.qemuArg,
      onLine: options.verbose ? (kernel, line) => status.log(`${chalk.dim(`[${kernel.name}]`)} ${line}`) : undefined,
    });
    status.finished(plan.name);
    return result;
  });
  status.done();

  await writeReports(results, {
    reporters,
    outputFiles: options.outputFile,
    color: chalk,
    verbose: options.verbose ?? false,
    artifactsRoot,
    version: VERSION,
  });
  const allPassed = totals(results).failed === 0 && results.every((kernel) => kernel.status === 'pass');
  return allPassed ? ExitCode.Passed : ExitCode.TestsFailed;
}
