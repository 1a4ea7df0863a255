#!/usr/bin/env node
// `npm run mutate`: Stryker over src/parse, src/verdict and src/report (stryker.config.mjs),
// then one line with the score from Stryker's JSON report. Extra arguments go to Stryker
// (for example `npm run mutate -- --force` to ignore the incremental results).
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
for (const [folder, count] of counts) console.log(`${folder}: ${score(count)}% (${count.detected} of ${count.total})`);
const all = [...counts.values()].reduce((sum, count) => ({ detected: sum.detected + count.detected, total: sum.total + count.total }), { detected: 0, total: 0 });
console.log(`mutation score: ${score(all)}% (${all.detected} of ${all.total} mutants killed in ${FOLDERS.join(', ')})`);
