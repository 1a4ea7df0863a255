// npm runs this after `npm install` / `npm ci`. In a checkout (src/ is there) it builds
// alloc-runner as `npm run build` does: tsc compiles src/ to dist/, then scripts/bundle.mjs
// bundles dist/ into dist/alloc-runner.cjs, what bin/alloc-runner.js loads. An installed
// package ships dist/ and no src/, so there it does nothing.
// Not a `prepare` script: npm runs prepare inside `npm pack` too, and its banner on stdout
// breaks tools that read the tarball's name there (the pre-commit framework's node hooks).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (existsSync(`${root}/src`)) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.json`], { stdio: 'inherit' });
  execFileSync(process.execPath, [`${root}/scripts/bundle.mjs`], { stdio: 'inherit' });
}
