// `npm run build`'s second step, after tsc: dist/ bundled into one CommonJS file,
// dist/alloc-runner.cjs, which bin/alloc-runner.js loads. Node resolves, reads, compiles and
// links every ES module of a run one by one (about 60 for `test --kernel`); that took more of a
// run's CPU than the run itself. One CommonJS file is read once, compiled lazily, function by
// function, and needs no ES module loader at all. The modules a run may not need
// (`import()`) stay lazy inside it: their code runs only when imported.
// The tests, scripts and type checks keep using tsc's dist/.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const BUNDLE = `${dist}alloc-runner.cjs`;

await build({
  entryPoints: [`${dist}cli.js`],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // bin/alloc-runner.js compiles the bundle with vm.Script, which has no loader for an
  // import(): esbuild writes a dynamic import of a Node module as a require.
  supported: { 'dynamic-import': false },
  // version.ts finds package.json from its module's URL, which CommonJS has not: the bundle's
  // own, as it sits in dist/ beside version.js. "use strict" first, as esbuild writes it,
  // so that the banner leaves the whole file in strict mode, as the ES modules were.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: '"use strict";\nconst __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});
