import type { KernelResult, Shard } from '../model.js';
import type { Outcome, Totals } from '../verdict/outcome.js';

/**
 * Bumped whenever a field changes meaning or goes away; new fields may appear without a bump.
 * docs/json-schema.json describes every field; the tests validate reports against it.
 */
export const JSON_SCHEMA_VERSION = 1;

export interface JsonReport {
  schemaVersion: number;
  tool: { name: 'alloc-runner'; version: string };
  /** Which shard of the suite this run was (`--shard K/N`). */
  shard?: Shard;
  totals: Totals;
  /** Each kernel as the result model has it, the VGA screen as text (no colours). */
  kernels: Array<Omit<KernelResult, 'screen'>>;
}

export function jsonReport({ kernels, totals }: Outcome, version: string, shard?: Shard): JsonReport {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: 'alloc-runner', version },
    ...(shard ? { shard } : {}),
    totals,
    kernels: kernels.map(({ screen: _screen, ...kernel }) => kernel),
  };
}
