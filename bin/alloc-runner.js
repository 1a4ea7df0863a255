#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  // Also reached as Cargo's target runner (fixtures/.cargo/config.toml), where a bare module error would puzzle.
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`alloc-runner is not built: ${fileURLToPath(cli)} is missing. Run \`npm install\` (or \`npm run build\`) in ${root}.\n`);
  process.exit(4);
}
const { main } = await import(cli.href);
await main();
