// What `merge` checks of a JSON report before it trusts it: the fields every reporter reads,
// with their types, as docs/json-schema.json declares them. A report edited by hand or cut
// short is then a usage error naming the field, never a crash in a reporter.

import { isColourRow } from './screen-colours.js';

type Check = (value: unknown, path: string) => string | undefined;

const is = (expected: string, test: (value: unknown) => boolean): Check => (value, path) =>
  test(value) ? undefined : `${path}: expected ${expected}, got ${describe(value)}`;

const string = is('a string', (value) => typeof value === 'string');
const number = is('a number', (value) => typeof value === 'number' && Number.isFinite(value));
const integer = is('a whole number', (value) => Number.isInteger(value));
const boolean = is('true or false', (value) => typeof value === 'boolean');
const oneOf = (...choices: string[]): Check => is(`one of ${choices.join(', ')}`, (value) => choices.includes(value as string));

const list =
  (item: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected a list, got ${describe(value)}`;
    for (const [index, element] of value.entries()) {
      const problem = item(element, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  };

/** A table with these fields; a field ending in `?` may be absent. */
const table =
  (fields: Record<string, Check>): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected an object, got ${describe(value)}`;
    for (const [declared, check] of Object.entries(fields)) {
      const optional = declared.endsWith('?');
      const key = optional ? declared.slice(0, -1) : declared;
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) {
        if (optional) continue;
        return `${path}.${key}: missing`;
      }
      const problem = check(field, `${path}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };

const panic = table({ message: string, file: string, line: integer, column: integer });

const test: Check = (value, path) =>
  table({
    number: integer,
    name: string,
    status: oneOf('pass', 'fail', 'skip', 'xfail', 'notrun'),
    'reason?': string,
    'panic?': panic,
    diagnostics: list(string),
    'output?': list(string),
    subtests: list(test),
    'serialLines?': table({ first: integer, last: integer }),
  })(value, path);

const kernel = table({
  // Absent in reports of versions before kernel ids: merge takes `package/name` then.
  'id?': string,
  name: string,
  'package?': string,
  image: string,
  status: oneOf('pass', 'fail', 'crash', 'hang', 'error', 'interrupted'),
  'reason?': string,
  'exitStatus?': integer,
  tests: list(test),
  'plannedTests?': integer,
  'inFlight?': string,
  serialFormat: oneOf('ktap', 'blog_os', 'none'),
  'panic?': panic,
  lastSerialLines: list(string),
  serialBytes: integer,
  'screenText?': string,
  'screenColours?': list(is('runs of colours like "07x80"', (value) => typeof value === 'string' && isColourRow(value))),
  'noScreenReason?': string,
  artifacts: table({
    dir: string,
    serialLog: string,
    'serialTimes?': string,
    'screenText?': string,
    'screenshot?': string,
    'firmwareLog?': string,
    'qemuStderr?': string,
    'incomplete?': list(string),
  }),
  durationMs: number,
  'accelerator?': string,
  qemuCommand: list(string),
  'sourceRoot?': string,
  'cached?': boolean,
});

const report = table({
  'shard?': table({ index: integer, count: integer }),
  kernels: list(kernel),
});

/** The first thing wrong with a JSON report's kernels (`kernels[2].tests[0].status: expected …`), or undefined. */
export function jsonReportProblem(value: unknown): string | undefined {
  return report(value, 'report')?.replace(/^report\./, '');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
