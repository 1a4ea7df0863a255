// The benchmark scripts are plain JavaScript that tsc never checks: an export they import from
// dist/ that was renamed or moved fails only when someone runs the benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SCRIPTS = join(ROOT, 'scripts');
const DIST_IMPORT = /import\s*\{([^}]+)\}\s*from\s*'(\.\.\/dist\/[^']+)'/g;

const scripts = readdirSync(SCRIPTS).filter((name) => name.endsWith('.mjs') && readFileSync(join(SCRIPTS, name), 'utf8').includes("from '../dist/"));

describe.each(scripts)('scripts/%s', (script) => {
  it('imports from dist/ only what dist/ exports', async () => {
    expect.hasAssertions();
    const source = readFileSync(join(SCRIPTS, script), 'utf8');
    for (const [, names, path] of source.matchAll(DIST_IMPORT)) {
      const module = (await import(resolve(SCRIPTS, path!))) as Record<string, unknown>;
      for (const name of names!.split(',').map((part) => part.trim().split(/\s+as\s+/)[0]!).filter(Boolean)) {
        expect(module[name], `${script} imports ${name} from ${path}`).toBeDefined();
      }
    }
  });
});
