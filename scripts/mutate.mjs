#!/usr/bin/env node
// `npm run mutate`: Stryker over src/parse, src/verdict and src/report (stryker.config.mjs),
// then one line with the score from Stryker's JSON report. Extra arguments go to Stryker
// (`npm run mutate -- --force` ignores the incremental results; `-- --mutate 'src/verdict/**'`
// measures one folder, and the last line then names only the folders measured).
// MUTATE_STATIC=0 skips the static mutants (see stryker.config.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const FOLDERS = ['src/parse', 'src/verdict', 'src/report'];
const REPORT = 'reports/mutation/mutation.json';
// As Stryker counts: a mutant that made the tests time out is detected; one that does not compile is not a mutant.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const stryker = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
if (stryker.status !== 0) {
  console.error(`error: Stryker failed (${stryker.error?.message ?? `exit status ${stryker.status ?? stryker.signal}`}); see its output above`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const counts = new Map(FOLDERS.map((folder) => [folder, { detected: 0, total: 0 }]));
for (const [file, { mutants }] of Object.entries(report.files)) {
  const path = relative(process.cwd(), resolve(file));
  const count = counts.get(FOLDERS.find((folder) => path.startsWith(`${folder}/`)));
  if (!count) continue;
  for (const { status } of mutants) {
    if (DETECTED.has(status)) count.detected++;
    if (DETECTED.has(status) || UNDETECTED.has(status)) count.total++;
  }
}
const score = ({ detected, total }) => (total === 0 ? 100 : (100 * detected) / total).toFixed(2);
const ignored = Object.values(report.files).flatMap(({ mutants }) => mutants).filter(({ status }) => status === 'Ignored').length;
if (ignored > 0) console.log(`${ignored} static mutants not run (MUTATE_STATIC=0 skipped them)`);
const measured = [...counts].filter(([, count]) => count.total > 0);
for (const [folder, count] of measured) console.log(`${folder}: ${score(count)}% (${count.detected} of ${count.total})`);
const all = measured.reduce((sum, [, count]) => ({ detected: sum.detected + count.detected, total: sum.total + count.total }), { detected: 0, total: 0 });
console.log(`mutation score: ${score(all)}% (${all.detected} of ${all.total} mutants killed in ${measured.map(([folder]) => folder).join(', ')})`);
