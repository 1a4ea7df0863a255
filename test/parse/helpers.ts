import { readFileSync } from 'node:fs';
import type { SerialReport, TestResult } from '../../src/model.js';
import { splitLines } from '../../src/capture/lines.js';
import { SerialParser, type SerialParserOptions } from '../../src/parse/serial.js';

/** Parses a whole output; `lines` joins its arguments with `\n` for readable tests. */
export function parse(output: string | Uint8Array, options?: SerialParserOptions): SerialReport {
  const parser = new SerialParser(options);
  for (const line of splitLines(output)) parser.push(line);
  return parser.finish();
}

export function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

export function recorded(path: string): Buffer {
  return readFileSync(new URL(`../../fixtures/recorded/${path}`, import.meta.url));
}

type Shaped = { name: string; status: string; subtests: Shaped[] };
/** The tree as [name, status, subtrees], to compare nesting at a glance. */
export const shape = (tests: Shaped[]): unknown[] => tests.map((t) => [t.name, t.status, shape(t.subtests)]);

/** Every result in the tree, depth first. */
export function allTests(tests: TestResult[]): TestResult[] {
  return tests.flatMap((test) => [test, ...allTests(test.subtests)]);
}
