import { appendFileSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Outcome } from '../verdict/outcome.js';
import { describeFsError, environmentError } from '../errors.js';
import type { Shard } from '../model.js';
import type { ReporterChoice, ReporterName } from './choice.js';
import { closingLine, renderReport } from './terminal.js';

export interface ReportSettings {
  /** Each reporter and where it writes (chooseReporters). */
  reporters: ReporterChoice[];
  color: ChalkInstance;
  verbose: boolean;
  /** Tests that took longer are marked slow in the default report; 0 marks none. */
  slowTestMs?: number;
  /** The run's artifacts folder, named at the end of the default report (a merged report has none). */
  artifactsRoot?: string;
  version: string;
  shard?: Shard;
}

/** Every chosen reporter renders the one outcome. */
export async function writeReports(outcome: Outcome, settings: ReportSettings): Promise<void> {
  // A report file that cannot be written (a full disk) does not stop the others, stdout's above all.
  const unwritten: string[] = [];
  for (const { name, destination } of settings.reporters) {
    const text = await render(name, outcome, settings);
    if (destination.to === 'file') {
      try {
        await mkdir(dirname(destination.path), { recursive: true });
        await writeFile(destination.path, text);
      } catch (error) {
        unwritten.push(`the ${name} report to ${destination.path}: ${describeFsError(error)}`);
      }
    } else {
      process[destination.to].write(text);
    }
    // The job summary is a file GitHub names; appended, as other steps write to it too.
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (name === 'github' && summary) {
      try {
        const { githubSummary } = await import('./github.js');
        appendFileSync(summary, githubSummary(outcome));
      } catch (error) {
        unwritten.push(`the job summary to GITHUB_STEP_SUMMARY=${summary}: ${describeFsError(error)}`);
      }
    }
  }
  if (unwritten.length > 0) throw environmentError(`could not write ${unwritten.join('; ')}`);
}

// Each reporter but the default is loaded when chosen: a run pays only for the reporters it uses.
async function render(name: ReporterName, outcome: Outcome, settings: ReportSettings): Promise<string> {
  const { kernels } = outcome;
  switch (name) {
    case 'default': {
      const { color } = settings;
      const body = renderReport(kernels, color, { verbose: settings.verbose, slowTestMs: settings.slowTestMs });
      const artifacts = settings.artifactsRoot ? `\n\nArtifacts: ${settings.artifactsRoot}` : '';
      return `${body}${artifacts}\n${closingLine(outcome.totals)}\n`;
    }
    case 'json': {
      const { jsonReport } = await import('./json.js');
      return `${JSON.stringify(jsonReport(outcome, settings.version, settings.shard), null, 2)}\n`;
    }
    case 'tap':
      return (await import('./tap.js')).tapReport(kernels);
    case 'ktap':
      return (await import('./tap.js')).ktapReport(kernels);
    case 'junit': {
      const { readTail } = await import('./log-tail.js');
      return (await import('./junit.js')).junitReport(kernels, { serialLog: (kernel) => readTail(kernel.artifacts.serialLog) });
    }
    case 'github':
      return (await import('./github.js')).githubAnnotations(kernels, resolve(process.env.GITHUB_WORKSPACE ?? process.cwd()));
    case 'quiet':
      return (await import('./quiet.js')).quietReport(outcome, settings.color);
    case 'html': {
      const { readTailLines } = await import('./log-tail.js');
      return (await import('./html.js')).htmlReport(outcome, { version: settings.version, screenshot: readScreenshot, serialLog: (kernel) => readTailLines(kernel.artifacts.serialLog) });
    }
  }
}

/** The kernel's vga.png; undefined when there is none (a merged report from another machine). */
function readScreenshot(kernel: { artifacts: { screenshot?: string } }): Buffer | undefined {
  if (!kernel.artifacts.screenshot) return undefined;
  try {
    return readFileSync(kernel.artifacts.screenshot);
  } catch {
    return undefined;
  }
}
