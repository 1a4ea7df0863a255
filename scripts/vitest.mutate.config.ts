import { chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { UNIT_TESTS } from '../vitest.config.js';

// Stryker's sandbox copies the project without file modes: the boot tests run the fake QEMU itself.
chmodSync(resolve(import.meta.dirname, '..', 'test', 'support', 'fake-qemu.mjs'), 0o755);

// Stryker's vitest runner cannot pick a project: this config is the unit project alone,
// without the property tests (thousands of generated cases each: about 13 s of every
// mutant's run), and without the two slow files that load nothing of src/parse, src/verdict
// or src/report (layers: the rule file reads src/ as text; subprocess: real children), which
// each static mutant would otherwise run for 8 s. Stryker's instrumentation slows the bulk
// parser tests past vitest's 5 s.
export default defineConfig({
  test: {
    include: UNIT_TESTS,
    exclude: ['test/**/*-fuzz.test.ts', 'test/parse/properties.test.ts', 'test/unit/layers.test.ts', 'test/unit/subprocess.test.ts'],
    testTimeout: 60_000,
  },
});
