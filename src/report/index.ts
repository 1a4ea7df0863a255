import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
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
    case 'junit':
      return (await import('./junit.js')).junitReport(kernels, { serialLog: (kernel) => readTail(kernel.artifacts.serialLog) });
    case 'github':
      return (await import('./github.js')).githubAnnotations(kernels, resolve(process.env.GITHUB_WORKSPACE ?? process.cwd()));
    case 'quiet':
      return (await import('./quiet.js')).quietReport(outcome, settings.color);
    case 'html':
      return (await import('./html.js')).htmlReport(outcome, { version: settings.version, screenshot: readScreenshot, serialLog: (kernel) => readTail(kernel.artifacts.serialLog) });
  }
}

const SERIAL_LOG_KEPT_BYTES = 1024 * 1024;

/** The kernel's vga.png; undefined when there is none (a merged report from another machine). */
function readScreenshot(kernel: { artifacts: { screenshot?: string } }): Buffer | undefined {
  if (!kernel.artifacts.screenshot) return undefined;
  try {
    return readFileSync(kernel.artifacts.screenshot);
  } catch {
    return undefined;
  }
}

/** The end of a serial log (a flooding kernel's log is 64 MiB); undefined when the file is gone (a merged report from another machine). */
function readTail(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, SERIAL_LOG_KEPT_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    return length < size ? `[alloc-runner: the first ${size - length} bytes of ${path} are left out]\n${text}` : text;
  } finally {
    closeSync(fd);
  }
}
