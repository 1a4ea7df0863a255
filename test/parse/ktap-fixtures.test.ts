// The shapes real kernel logs take (fixtures/ktap/*.log, written for alloc-runner after the
// kunit tool's own test logs), each with the tree alloc-runner must read from it
// (fixtures/ktap/*.expected; the format is in fixtures/ktap/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SerialReport, TestResult } from '../../src/model.js';
import { printable } from '../../src/report/text.js';
import { parse } from './helpers.js';

const DIR = new URL('../../fixtures/ktap/', import.meta.url);
const logs = readdirSync(DIR).filter((name) => name.endsWith('.log')).sort();

/** The report as an outline: `planned N`, `! problem`, then `STATUS N NAME (reason)` and `> output` lines, two spaces a level. */
function outline(report: SerialReport): string {
  const lines: string[] = [];
  if (report.plannedTests !== undefined) lines.push(`planned ${report.plannedTests}`);
  for (const problem of report.problems) lines.push(`! ${problem}`);
  const walk = (tests: TestResult[], indent: string) => {
    for (const test of tests) {
      lines.push(`${indent}${test.status} ${test.number} ${printable(test.name)}${test.reason ? ` (${printable(test.reason)})` : ''}`);
      for (const line of test.output ?? []) lines.push(`${indent}  > ${printable(line)}`);
      walk(test.subtests, `${indent}  `);
    }
  };
  walk(report.tests, '');
  return lines.map((line) => `${line}\n`).join('');
}

describe('kernel logs in fixtures/ktap', () => {
  it('has a log for every shape the parser must know', () => {
    expect(logs.length).toBeGreaterThanOrEqual(15);
  });

  it.each(logs)('%s reads as its .expected outline', (name) => {
    const report = parse(readFileSync(new URL(name, DIR)));
    const expected = readFileSync(new URL(name.replace(/\.log$/, '.expected'), DIR), 'utf8');
    expect(report.format).toBe('ktap');
    expect(outline(report)).toBe(expected);
  });
});
