import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import chalk from 'chalk';
import { ExitCode, RunnerError, usageError, type ExitCodeValue } from '../errors.js';
import type { KernelResult } from '../model.js';
import { killAllQemu } from '../qemu/process.js';
import { closingLine } from '../report/terminal.js';
import { decideOutcome } from '../verdict/outcome.js';
import type { KernelPlan } from './kernel.js';
import { FileWatch, filesFeeding } from './watch-files.js';

/** What a watch round asks of one run of the suite: which of the built kernels boot, and what they gave. */
export interface WatchRound {
  choose(plans: KernelPlan[]): Promise<KernelPlan[]>;
  ran(plans: KernelPlan[], results: KernelResult[]): void;
}

/** Which kernels a round boots: those whose images changed, all of them (`a`), or those that did not pass (`f`). */
type Rerun = 'changed' | 'all' | 'failed';

const KEYS_HELP = 'press a to rerun all, f to rerun failed, q to quit';

/** `--watch` needs keys from a terminal: said why when there is none. */
export function requireTerminal(stdin: NodeJS.ReadStream = process.stdin): void {
  if (!stdin.isTTY) {
    throw usageError('--watch reads keys (a: rerun all, f: rerun failed, q: quit) from a terminal, and stdin is not one; run it in a terminal, or drop --watch');
  }
}

/**
 * `alloc-runner test --watch`: runs the suite, then waits; a change to a file that feeds a
 * kernel rebuilds with Cargo and reruns only the kernels whose images changed (by content),
 * with their report and the totals for all. Changes during a run make one more round after
 * it; a build error is shown and the watch goes on. Ends on `q` or Ctrl-C, with the last
 * run's exit code.
 *
 * Which files feed the kernels is known from a build that succeeded. Before the first one,
 * and after one that failed (its error may be in a file no build has named yet), the
 * workspace's source tree (`workspace`, its folder) is watched as well.
 */
export async function watchTests(
  runRound: (round: WatchRound) => Promise<ExitCodeValue>,
  workspace: string,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<ExitCodeValue> {
  const imageHashes = new Map<string, string>();
  const latest = new Map<string, KernelResult>();
  let next = 'all' as Rerun | undefined;
  let changedFiles: string[] = [];
  let running = false;
  let quit = false;
  let wake = () => {};
  const files = new FileWatch((changed) => {
    changedFiles.push(...changed);
    next ??= 'changed';
    wake();
  });
  let fed = new Set<string>();
  files.watch(fed, workspace);

  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  const onKey = (key: string) => {
    if (key === 'q' || key === '\u0003') {
      quit = true;
      // A run in flight is stopped: its kernels end as interrupted.
      if (running) killAllQemu();
    } else if (key === 'a') next = 'all';
    else if (key === 'f') next = next === 'all' ? 'all' : 'failed';
    else return;
    wake();
  };
  stdin.on('data', onKey);

  let exitCode: ExitCodeValue = ExitCode.Passed;
  try {
    while (!quit) {
      if (next === undefined) await new Promise<void>((resolve) => (wake = resolve));
      if (quit || next === undefined) continue;
      const rerun: Rerun = next;
      next = undefined;
      if (changedFiles.length > 0) process.stderr.write(`\n${chalk.bold('changed:')} ${[...new Set(changedFiles)].map((file) => relative(process.cwd(), file)).join(', ')}\n`);
      changedFiles = [];
      running = true;
      let booted = 0;
      let fedKnown = false;
      try {
        exitCode = await runRound({
          choose: async (plans) => {
            const chosen = await choose(plans, rerun, imageHashes, latest);
            booted = chosen.length;
            if (chosen.length === 0) process.stderr.write(rerun === 'failed' ? 'no kernel failed: nothing to rerun\n' : 'no kernel image changed: nothing to rerun\n');
            return chosen;
          },
          ran: (plans, results) => {
            for (const id of latest.keys()) if (!plans.some((plan) => plan.id === id)) latest.delete(id);
            for (const result of results) latest.set(result.id, result);
            fedKnown = true;
            fed = filesFeeding(plans);
            files.watch(fed);
          },
        });
      } catch (error) {
        if (!(error instanceof RunnerError)) throw error;
        // A build error (Cargo's messages are above) or a usage error: shown, and the watch goes on.
        process.stderr.write(`${chalk.red('error:')} ${error.message}\n`);
        exitCode = error.exitCode;
      }
      if (!fedKnown) files.watch(fed, workspace);
      running = false;
      if (quit && booted > 0) exitCode = ExitCode.Interrupted;
      if (!quit) process.stderr.write(`\n${allTotals([...latest.values()])}\n${chalk.dim(`watching for changes; ${KEYS_HELP}`)}\n`);
    }
  } finally {
    files.close();
    stdin.off('data', onKey);
    stdin.setRawMode(false);
    stdin.pause();
  }
  return exitCode;
}

async function choose(plans: KernelPlan[], rerun: Rerun, imageHashes: Map<string, string>, latest: Map<string, KernelResult>): Promise<KernelPlan[]> {
  const hashes = await Promise.all(plans.map(async (plan) => createHash('sha256').update(await readFile(plan.image)).digest('hex')));
  const chosen = plans.filter((plan, index) => {
    if (rerun === 'all') return true;
    if (rerun === 'failed') return latest.get(plan.id)?.status !== 'pass';
    return imageHashes.get(plan.id) !== hashes[index];
  });
  // Remembered for those that boot: a changed kernel left out by `f` still counts as changed.
  plans.forEach((plan, index) => chosen.includes(plan) && imageHashes.set(plan.id, hashes[index]!));
  return chosen;
}

/** The totals for every kernel, each at its latest run: `all 5 kernels: 4 passed, 1 did not (kernel/heap_basics); 17 passed, 1 failed`. */
export function allTotals(results: KernelResult[]): string {
  const failing = results.filter((result) => result.status !== 'pass').map((result) => result.id);
  const kernels = `all ${results.length} kernel${results.length === 1 ? '' : 's'}: ${results.length - failing.length} passed${failing.length > 0 ? `, ${failing.length} did not (${failing.join(', ')})` : ''}`;
  return `${chalk.bold(kernels)}; ${closingLine(decideOutcome(results).totals)}`;
}
