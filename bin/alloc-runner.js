#!/usr/bin/env node
// CommonJS (bin/package.json says so): an ES module here would start Node's ES module loader,
// about 15 ms, for nothing. It loads dist/alloc-runner.cjs, all of alloc-runner in one file
// (scripts/bundle.mjs makes it from tsc's dist/ at `npm run build`).
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'alloc-runner.cjs');
const built = statSync(bundle, { throwIfNoEntry: false });
if (!built) {
  // Also reached as Cargo's target runner (fixtures/.cargo/config.toml), where a bare module error would puzzle.
  process.stderr.write(`alloc-runner is not built: ${bundle} is missing. Run \`npm install\` (or \`npm run build\`) in ${join(__dirname, '..')}.\n`);
  process.exit(4);
}
void load(bundle, built).main();

/**
 * Runs the bundle as `require` would, with V8's code cache: a run compiles each function it
 * calls, about 12 ms for `test`, and the cache (alloc-runner.cjs.cache beside the bundle)
 * keeps them compiled. V8 rejects a cache made by another V8 or for a source of another
 * length; the stamp (the bundle's size, mtime and inode) rejects one made for an older build
 * of the same length. The first kernel-booting run (`test`, `run`, `runner`) after a build
 * writes it, so that it holds what those runs call; a folder not writable means no cache.
 */
function load(file, { size, mtimeMs, ino }) {
  const cacheFile = `${file}.cache`;
  const stamp = Buffer.from(`${size} ${mtimeMs} ${ino}\n`);
  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    if (cache.subarray(0, stamp.length).equals(stamp)) cachedData = cache.subarray(stamp.length);
  } catch {
    // none yet
  }
  const source = readFileSync(file, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if ((!cachedData || script.cachedDataRejected) && ['test', 'run', 'runner'].includes(process.argv[2])) {
    process.once('exit', () => {
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(temporary, Buffer.concat([stamp, script.createCachedData()]));
        renameSync(temporary, cacheFile); // whole or not at all, whoever else writes it
      } catch {
        // a read-only installation runs without the cache
      }
    });
  }
  return module.exports;
}
