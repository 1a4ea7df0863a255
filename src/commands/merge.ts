import { readFile } from 'node:fs/promises';
import chalk from 'chalk';
import { type ExitCodeValue, usageError } from '../errors.js';
import type { KernelResult } from '../model.js';
import { JSON_SCHEMA_VERSION, kernelFromJson, type JsonReport } from '../report/json.js';
import { jsonReportProblem } from '../report/json-check.js';
import { checkReportDestinations } from '../check/places.js';
import { writeReports } from '../report/index.js';
import type { MergeOptions } from '../options/declare.js';
import { resolveReport } from '../options/resolve.js';
import { decideOutcome } from '../verdict/outcome.js';
import { byKernelId, kernelId } from '../run/select.js';
import { VERSION } from '../version.js';

/** Merges the JSON reports of shards into one, rendered by any reporter; exits as the whole run would have. */
export async function mergeCommand(files: string[], options: MergeOptions): Promise<ExitCodeValue> {
  const report = resolveReport(options);
  checkReportDestinations(report.reporters);
  const reports = await Promise.all(files.map(async (file) => ({ file, report: await readReport(file) })));
  const kernels = mergeKernels(reports);
  const missing = missingShards(reports.map(({ report }) => report));
  if (missing) process.stderr.write(`warning: ${missing}\n`);
  const outcome = decideOutcome(kernels);
  await writeReports(outcome, { ...report, color: chalk, version: VERSION });
  return outcome.exitCode;
}

async function readReport(file: string): Promise<JsonReport> {
  let report: Partial<JsonReport>;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as Partial<JsonReport>;
  } catch (error) {
    throw usageError(`${file}: not a readable JSON report (${(error as Error).message}); write one with alloc-runner test --reporter json --output-file json=${file}`);
  }
  if (report.tool?.name !== 'alloc-runner' || !Array.isArray(report.kernels)) {
    throw usageError(`${file}: not an alloc-runner JSON report (no "tool": {"name": "alloc-runner"} or no "kernels")`);
  }
  if (report.schemaVersion !== JSON_SCHEMA_VERSION) {
    throw usageError(`${file}: JSON schema version ${report.schemaVersion}, but this alloc-runner (${VERSION}) reads version ${JSON_SCHEMA_VERSION}; merge with the version that wrote it`);
  }
  const problem = jsonReportProblem(report);
  if (problem) throw usageError(`${file}: not a well-formed alloc-runner JSON report: ${problem}; merge the files alloc-runner test --reporter json wrote, unedited`);
  // Reports of versions before kernel ids named kernels by `package/name`.
  for (const kernel of report.kernels) kernel.id ??= kernel.package ? `${kernel.package}/${kernel.name}` : kernel.name;
  return report as JsonReport;
}

/** Every kernel of every report, sorted by id; the same id twice means the shards overlap. */
export function mergeKernels(reports: Array<{ file: string; report: JsonReport }>): KernelResult[] {
  const seen = new Map<string, string>();
  const kernels: KernelResult[] = [];
  for (const { file, report } of reports) {
    for (const kernel of report.kernels) {
      const id = kernelId(kernel);
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        throw usageError(`kernel ${id} is in ${earlier === file ? `${file} twice` : `both ${earlier} and ${file}`}: merge the shards of one run (--shard K/N with the same N), each once`);
      }
      seen.set(id, file);
      kernels.push(kernelFromJson(kernel));
    }
  }
  return kernels.sort(byKernelId);
}

/** Says which shards of an N-way split are not among the reports, if the reports came from --shard. */
export function missingShards(reports: JsonReport[]): string | undefined {
  const shards = reports.map((report) => report.shard).filter((shard) => shard !== undefined);
  if (shards.length === 0) return undefined;
  const count = Math.max(...shards.map((shard) => shard.count));
  const present = new Set(shards.map((shard) => shard.index));
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter((index) => !present.has(index));
  return missing.length > 0 ? `the merged reports lack shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')}` : undefined;
}
