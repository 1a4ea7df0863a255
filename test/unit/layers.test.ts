import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../.dependency-cruiser.mjs';

// The rule file of `npm run lint:deps`, run on a small tree of its own with imports planted in
// each direction: a typo in a rule would otherwise let every import pass.

const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'alloc-runner-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Cruises a tree of `files` (path under src/ -> its imports) with the project's rule file. */
async function violations(files: Record<string, string[]>): Promise<string[]> {
  const dir = mkdtempSync(join(scratch, 'tree-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }));
  for (const [path, imports] of Object.entries(files)) {
    const file = join(dir, 'src', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${imports.join('\n')}\nexport const value = 1;\n`);
  }
  const { stdout } = await execa('node', [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.mjs'), '--output-type', 'json'], { cwd: dir, reject: false });
  const { summary } = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return summary.violations.map(({ from, to, rule }) => `${rule.name}: ${from} -> ${to}`).sort();
}

// Each cruise starts Node and TypeScript's parser: seconds on a busy machine.
describe('the stages rule file', { timeout: 60_000 }, () => {
  // Also `npm run lint:deps`; here, so that the unit suite every change runs sees a forbidden import too.
  it('holds for src/', async () => {
    const { exitCode, stdout } = await execa('node', [DEPCRUISE, 'src', '--config', '.dependency-cruiser.mjs', '--output-type', 'err-long'], { cwd: ROOT, reject: false });
    expect(stdout).toMatch(/no dependency violations found/);
    expect(exitCode).toBe(0);
  });

  it('lets a stage import the stages before it, and flags every import of a later one, type-only and dynamic ones too', async () => {
    const files: Record<string, string[]> = { 'model.ts': [], 'errors.ts': ["import type { value } from './model.js';"] };
    const expected: string[] = [];
    STAGES.forEach((stage, index) => {
      const earlier = STAGES[index - 1];
      const later = STAGES[index + 1];
      files[`${stage}/early.ts`] = ["import { value } from '../errors.js';", ...(earlier ? [`import { value as before } from '../${earlier}/early.js';`] : [])];
      if (!later) return;
      const planted = [`import type { value } from '../${later}/early.js';`, `import { value } from '../${later}/early.js';`, `await import('../${later}/early.js');`][index % 3]!;
      files[`${stage}/late.ts`] = [planted];
      expected.push(`${stage}-imports-a-later-stage: src/${stage}/late.ts -> src/${later}/early.ts`);
    });
    expect(await violations(files)).toEqual(expected.sort());
  });

  it('keeps the shared files free of stages, nothing importing cli.ts, no cycle, no file outside the known places and no import it cannot follow', async () => {
    expect(
      await violations({
        'cli.ts': ["import { value } from './commands/a.js';"],
        'model.ts': ["import type { value } from './run/a.js';"],
        'run/a.ts': ["import { value } from '../parse/missing.js';"],
        'commands/a.ts': ["import { value } from '../cli.js';"],
        'parse/one.ts': ["import { value } from './two.js';"],
        'parse/two.ts': ["import { value } from './one.js';"],
        'stray/a.ts': ["import { value } from '../run/a.js';"],
      }),
    ).toEqual(
      [
        'no-circular: src/cli.ts -> src/commands/a.ts',
        'no-circular: src/parse/one.ts -> src/parse/two.ts',
        // An import the check cannot follow would escape every other rule.
        'not-to-unresolvable: src/run/a.ts -> ../parse/missing.js',
        'shared-imports-a-stage: src/model.ts -> src/run/a.ts',
        'stage-imports-cli: src/commands/a.ts -> src/cli.ts',
        'unknown-place: src/stray/a.ts -> src/run/a.ts',
      ].sort(),
    );
  });
});
