import { findExecutable } from '../environment.js';
import { usageError } from '../errors.js';
import { attachInstructions, debuggerProgram, GdbPort, parseGdbPort } from '../qemu/gdb.js';
import type { KernelPlan } from './kernel.js';
import { kernelId } from './select.js';

/** `--gdb [PORT]`: the port a debugger attaches to, listened on before anything is built (a busy port is found first). */
export async function listenForDebugger(gdb: string | true | undefined): Promise<GdbPort | undefined> {
  return gdb === undefined ? undefined : GdbPort.listen(parseGdbPort(gdb));
}

/** A debugger follows one kernel: more is a usage error naming them. */
export function requireOneKernel(plans: Array<{ id: string }>): void {
  if (plans.length === 1) return;
  const names = plans.map(kernelId).join(', ');
  throw usageError(
    plans.length === 0
      ? '--gdb debugs one kernel, and none is selected'
      : `--gdb debugs one kernel, but ${plans.length} are selected (${names}): choose one with --filter-kernel NAME`,
  );
}

/** What to tell the user once `plan`'s kernel waits for a debugger on `port`. */
export function waitingForDebugger(plan: KernelPlan, port: GdbPort): string {
  // A Cargo target's crate is its name with dashes made underscores; a --kernel file has no crate.
  const crate = plan.package ? plan.name.replaceAll('-', '_') : undefined;
  return attachInstructions({ id: kernelId(plan), crate, symbols: plan.symbols }, port.port, debuggerProgram(), findExecutable('gdb') !== undefined);
}
