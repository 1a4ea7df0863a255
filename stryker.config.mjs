// Mutation testing of the code that decides and reports verdicts: `npm run mutate`.
// Only the unit and parser tests run against each mutant (the e2e tests boot QEMU).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'scripts/vitest.mutate.config.ts', related: false },
  mutate: ['src/parse/**/*.ts', 'src/verdict/**/*.ts', 'src/report/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the parser's line patterns, the reporters'
  // tables) each need the whole suite in a fresh module environment: about half of a full
  // run. They are counted: the patterns decide what a kernel's line means. MUTATE_STATIC=0
  // skips them (and leaves those also reached inside a test to that test alone).
  ignoreStatic: process.env.MUTATE_STATIC === '0',
  // The machine is shared: two test processes at most.
  concurrency: 2,
  // Reuses the results of mutants whose code and tests did not change since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // Only what the unit tests read goes into Stryker's sandboxes.
  ignorePatterns: ['fixtures/target', 'alloc-runner-artifacts', 'dist', 'target'],
  tempDirName: '.stryker-tmp',
  timeoutMS: 10_000,
};
