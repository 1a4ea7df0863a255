import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { KernelResult } from '../model.js';
import { usageError } from '../errors.js';
import { screenAnsi } from '../capture/vga.js';
import { closingLine, renderReport, totals } from './terminal.js';
import { jsonReport } from './json.js';

export const REPORTERS = ['default', 'json'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface ReportSettings {
  reporters: string[];
  /** `name=path` pairs: that reporter writes to the file instead of stdout. */
  outputFiles: string[];
  color: ChalkInstance;
  verbose: boolean;
  artifactsRoot: string;
  version: string;
}

/** Checks the reporter names and output files before anything runs. */
export function checkReporters(reporters: string[], outputFiles: string[]): Map<string, string> {
  for (const name of reporters) {
    if (!(REPORTERS as readonly string[]).includes(name)) {
      throw usageError(`--reporter ${name}: unknown reporter; choose from ${REPORTERS.join(', ')}`);
    }
  }
  const files = new Map<string, string>();
  for (const pair of outputFiles) {
    const [name, path] = pair.split(/=(.*)/s);
    if (!name || !path || !(REPORTERS as readonly string[]).includes(name)) {
      throw usageError(`--output-file ${pair}: expected REPORTER=PATH with a reporter from ${REPORTERS.join(', ')}`);
    }
    files.set(name, resolve(path));
  }
  return files;
}

export async function writeReports(kernels: KernelResult[], settings: ReportSettings): Promise<void> {
  const files = checkReporters(settings.reporters, settings.outputFiles);
  for (const name of settings.reporters as ReporterName[]) {
    const text = render(name, kernels, settings);
    const file = files.get(name);
    if (file) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    } else {
      process.stdout.write(text);
    }
  }
}

function render(name: ReporterName, kernels: KernelResult[], settings: ReportSettings): string {
  switch (name) {
    case 'default': {
      const { color } = settings;
      const ansiScreen = color.level > 0 ? (kernel: KernelResult) => kernel.screen && screenAnsi(kernel.screen) : undefined;
      const body = renderReport(kernels, color, { verbose: settings.verbose, ansiScreen });
      return `${body}\n\nArtifacts: ${settings.artifactsRoot}\n${closingLine(totals(kernels))}\n`;
    }
    case 'json':
      return `${JSON.stringify(jsonReport(kernels, settings.version), null, 2)}\n`;
  }
}
