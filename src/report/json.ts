import type { KernelResult, Shard } from '../model.js';
import type { Outcome, Totals } from '../verdict/outcome.js';
import { screenColours, screenFromColours } from './screen-colours.js';

/**
 * Bumped whenever a field changes meaning or goes away; new fields may appear without a bump.
 * docs/json-schema.json describes every field; the tests validate reports against it.
 */
export const JSON_SCHEMA_VERSION = 1;

/** A kernel as the result model has it, its VGA screen as text and colours (screenColours). */
export type JsonKernel = Omit<KernelResult, 'screen'> & { screenColours?: string[] };

export interface JsonReport {
  schemaVersion: number;
  tool: { name: 'alloc-runner'; version: string };
  /** Which shard of the suite this run was (`--shard K/N`). */
  shard?: Shard;
  totals: Totals;
  kernels: JsonKernel[];
}

export function jsonReport({ kernels, totals }: Outcome, version: string, shard?: Shard): JsonReport {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: 'alloc-runner', version },
    ...(shard ? { shard } : {}),
    totals,
    kernels: kernels.map(({ screen, ...kernel }) => (screen ? { ...kernel, screenColours: screenColours(screen) } : kernel)),
  };
}

/** The kernel of a JSON report (checked by jsonReportProblem) as the result model has it, its screen drawn again from text and colours. */
export function kernelFromJson({ screenColours: colours, ...kernel }: JsonKernel): KernelResult {
  return colours && kernel.screenText !== undefined ? { ...kernel, screen: screenFromColours(kernel.screenText, colours) } : kernel;
}
