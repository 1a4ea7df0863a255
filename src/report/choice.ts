import { resolve } from 'node:path';
import { usageError } from '../errors.js';

export const REPORTERS = ['default', 'json', 'tap', 'ktap', 'junit', 'github', 'quiet', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Where a reporter writes: a file (`--output-file`), stdout, or stderr (github's annotations beside another report). */
export type Destination = { to: 'stdout' } | { to: 'stderr' } | { to: 'file'; path: string };

export interface ReporterChoice {
  name: ReporterName;
  destination: Destination;
}

const isReporter = (name: string): name is ReporterName => (REPORTERS as readonly string[]).includes(name);

/**
 * The reporters a run writes and where each goes, from `--reporter` and `--output-file`,
 * checked before anything runs. `--output-file NAME=PATH` implies `--reporter NAME`; with
 * no `--reporter`, `default` writes to stdout. Under GitHub Actions `github` is added, and
 * its annotations go to stderr (GitHub reads workflow commands there too) whenever another
 * reporter writes to stdout, so that `--reporter json > report.json` stays JSON in CI.
 */
export function chooseReporters(requested: string[], outputFiles: string[], env: NodeJS.ProcessEnv = process.env): ReporterChoice[] {
  for (const name of requested) {
    if (!isReporter(name)) throw usageError(`--reporter ${name}: unknown reporter; choose from ${REPORTERS.join(', ')}`);
  }
  const files = outputFilesByReporter(outputFiles);
  const names = new Set<ReporterName>(requested.length > 0 ? (requested as ReporterName[]) : ['default']);
  for (const name of files.keys()) names.add(name);
  if (env.GITHUB_ACTIONS === 'true') names.add('github');
  const toStdout = (name: ReporterName) => !files.has(name) && name !== 'github';
  const othersOnStdout = [...names].some(toStdout);
  return [...names].map((name) => {
    const path = files.get(name);
    if (path !== undefined) return { name, destination: { to: 'file', path } };
    return { name, destination: name === 'github' && othersOnStdout ? { to: 'stderr' } : { to: 'stdout' } };
  });
}

/** `--output-file NAME=PATH` pairs: one file per reporter, one reporter per file. */
function outputFilesByReporter(pairs: string[]): Map<ReporterName, string> {
  const files = new Map<ReporterName, string>();
  const owners = new Map<string, ReporterName>();
  for (const pair of pairs) {
    const [name, path] = pair.split(/=(.*)/s);
    if (!name || !path || !isReporter(name)) {
      throw usageError(`--output-file ${pair}: expected REPORTER=PATH with a reporter from ${REPORTERS.join(', ')}`);
    }
    const file = resolve(path);
    const earlier = files.get(name);
    if (earlier !== undefined && earlier !== file) {
      throw usageError(`--output-file ${name}=${earlier} and ${pair}: a reporter writes one file; give ${name} one path`);
    }
    const owner = owners.get(file);
    if (owner !== undefined && owner !== name) {
      throw usageError(`--output-file ${owner}=… and ${pair}: both reporters would write ${file}; give each its own file`);
    }
    files.set(name, file);
    owners.set(file, name);
  }
  return files;
}
